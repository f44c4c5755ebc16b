/**
 * Scenario fuzzing: scenarios nobody wrote, generated from a seed inside Arbiter's fault
 * hypothesis, and judged by the same checker against the fault timeline.
 *
 * The hypothesis is the one DESIGN.md's invariants are stated under, and the generator never
 * leaves it (a violation found outside it would say nothing about Arbiter):
 *   - wrong evidence: at most n − q observers (a minority; q = quorum) are "blind" — a long
 *     partition, a slow or lossy path to one target, or their whole egress; a dying region
 *     whose egress failed first is one of them;
 *   - every other observer path sees only ordinary blips of at most 10 s, one at a time and at
 *     least 15 s apart on a path; a target itself may also blip for at most 10 s;
 *   - anything else, any number of times: targets really failing (down, or slower than their
 *     latency limit), whole regions down (us-east-1 possibly with the Route 53 control plane),
 *     event loss, duplication and reordering, one-way bus partitions, replication lag up to
 *     120 s, a replica unavailable, Route 53 throttling and outages, slow or throttled
 *     functions, and operator drains with a TTL.
 *
 * Expectations are left empty on purpose: the checker's own invariants (false drain, quorum
 * evidence, min serving, max drained, cooldown, recovery hold, restore while failing, dead left
 * serving, lost updates, convergence) are derived from the timeline alone.
 *
 *   npx tsx sim/fuzz.ts [--count 200] [--from 1] [--seeds 3] [--mode both] [--out dir]
 *
 * prints every failing (scenario, run seed) and writes the failing scenarios as YAML files, ready
 * to be kept in sim/scenarios/ as regressions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { quorumSize } from '../shared/domain';
import { SimRandom } from './random';
import { parseScenario, type Scenario, type ScenarioMode } from './scenario';
import { insyncDelayMsMax } from './sim-route53';
import { runSimulation, violationsOf } from './simulation';

/** Observer sets the generator draws from: the default three, or five. */
const threeRegions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const fiveRegions = [...threeRegions, 'us-west-2', 'eu-central-1'];

/** The longest "ordinary blip" the design promises to ride out, on a path or a target. */
export const blipMsMax = 10_000;
/** Blips on one path are at least this far apart, so that two never read as one longer failure. */
export const blipGapMsMin = 15_000;
const safetyMs = 300_000;
/** Faults start after the first probe rounds and end inside the safety phase. */
const faultFromMs = 10_000;
const faultUntilMs = 280_000;
/** The safety defaults the generator leaves as they are (shared/domain/config/schema.ts). */
const flipCooldownMs = 300_000;
const recoveryHoldMs = 60_000;
/**
 * After the safety phase, the run lasts as long as the protocol may legitimately take to converge:
 * a target restored, drained again, then recovered waits 2 × flipCooldownMs after that restore
 * (route-flap dampening, shared/domain/policy/proposal.ts), its recovery hold, and Route 53's
 * slowest INSYNC, plus a minute for decide passes, so that "converged at the end" judges the
 * protocol and not where the run was cut.
 */
export const generatedLivenessMs = 2 * flipCooldownMs + recoveryHoldMs + insyncDelayMsMax + 60_000;

type Fault = Record<string, unknown>;

function window(random: SimRandom, minMs: number, maxMs: number): { atMs: number; untilMs: number } {
  const atMs = random.int(faultFromMs, faultUntilMs - minMs);
  const untilMs = Math.min(faultUntilMs, atMs + random.int(minMs, maxMs));
  return { atMs, untilMs };
}

/** Blips of at most blipMsMax on one path (or one target), never overlapping, blipGapMsMin apart. */
function blips(random: SimRandom, count: number): Array<{ atMs: number; untilMs: number }> {
  const out: Array<{ atMs: number; untilMs: number }> = [];
  let fromMs = faultFromMs;
  for (let i = 0; i < count && fromMs < faultUntilMs - blipMsMax; i += 1) {
    const atMs = random.int(fromMs, Math.min(faultUntilMs - blipMsMax, fromMs + 90_000));
    const untilMs = atMs + random.int(2_000, blipMsMax);
    out.push({ atMs, untilMs });
    fromMs = untilMs + blipGapMsMin;
  }
  return out;
}

/**
 * One generated scenario, in the scenario file's shape (parsed and validated as a file would be).
 * @example const scenario = generateScenario(42, 'gate');
 */
export function generateScenario(seed: number, mode: ScenarioMode = 'control-plane'): Scenario {
  const random = new SimRandom(seed).fork('fuzz');
  const observers = random.chance(0.2) ? fiveRegions : threeRegions;
  const n = observers.length;
  const minority = n - quorumSize(n);
  const faults: Fault[] = [];

  // Wrong evidence: a minority of blind observers, each blind to one target or to every target.
  const blind = new Set<string>();
  const blindCount = random.int(0, minority);
  while (blind.size < blindCount) blind.add(random.pick(observers));
  for (const observer of blind) {
    const target = random.chance(0.3) ? '*' : random.pick(observers);
    const { atMs, untilMs } = window(random, 30_000, 270_000);
    const behaviour = random.pick(['partitioned', 'partitioned', 'slow', 'flaky'] as const);
    const fault: Fault = { kind: 'path', observer, target, behaviour, atMs };
    if (!random.chance(0.3)) fault['untilMs'] = untilMs;
    if (behaviour === 'slow') fault['latencyMs'] = random.int(700, 3_000);
    if (behaviour === 'flaky') fault['lossRate'] = Number(random.uniform(0.5, 1).toFixed(2));
    faults.push(fault);
    // A blind observer may die afterwards (its last words must not vote).
    if (random.chance(0.3)) faults.push({ kind: 'region-down', region: observer, ...window(random, 30_000, 200_000), ...(observer === 'us-east-1' && random.chance(0.5) ? { route53ControlPlane: true } : {}) });
  }

  // Ordinary blips on the other observers' paths, and on targets themselves.
  for (const observer of observers.filter((o) => !blind.has(o))) {
    if (!random.chance(0.6)) continue;
    const target = random.chance(0.2) ? '*' : random.pick(observers);
    for (const b of blips(random, random.int(1, 3))) faults.push({ kind: 'path', observer, target, behaviour: 'partitioned', ...b });
  }
  if (random.chance(0.3)) for (const b of blips(random, random.int(1, 2))) faults.push({ kind: 'target', target: random.pick(observers), behaviour: 'down', ...b });

  // Real failures: targets down or gray, whole regions down.
  const failures = random.int(0, 2);
  for (let i = 0; i < failures; i += 1) {
    const target = random.pick(observers);
    const w = window(random, 40_000, 200_000);
    const kind = random.pick(['down', 'down', 'slow', 'region'] as const);
    if (kind === 'region') faults.push({ kind: 'region-down', region: target, ...w, ...(target === 'us-east-1' && random.chance(0.5) ? { route53ControlPlane: true } : {}) });
    else if (kind === 'slow') faults.push({ kind: 'target', target, behaviour: 'slow', latencyMs: random.int(900, 1_800), ...w });
    else faults.push({ kind: 'target', target, behaviour: 'down', ...w });
  }

  // The environment: any of these, anywhere.
  if (random.chance(0.3)) faults.push({ kind: 'bus', lossRate: Number(random.uniform(0.1, 0.9).toFixed(2)), duplicateRate: Number(random.uniform(0, 0.3).toFixed(2)), reorderMsMax: random.int(0, 5_000), ...(random.chance(0.3) ? { correlated: true } : {}), ...window(random, 20_000, 270_000) });
  if (random.chance(0.2)) faults.push({ kind: 'bus-partition', from: random.pick(observers), to: random.chance(0.5) ? '*' : random.pick(observers), ...window(random, 20_000, 200_000) });
  if (random.chance(0.3)) faults.push({ kind: 'replication-lag', delayMs: [random.int(0, 5_000), random.int(5_000, 120_000)], ...window(random, 20_000, 200_000) });
  if (random.chance(0.2)) faults.push({ kind: 'store-unavailable', region: random.pick(observers), ...window(random, 10_000, 120_000) });
  if (mode === 'control-plane' && random.chance(0.2)) faults.push({ kind: 'route53-throttle', burst: random.int(0, 3), refillPerSecond: Number(random.uniform(0.1, 1).toFixed(2)), ...window(random, 20_000, 200_000) });
  if (random.chance(0.15)) faults.push({ kind: 'route53-outage', ...window(random, 20_000, 200_000) });
  if (random.chance(0.2)) {
    const behaviour = random.pick(['slow', 'throttled'] as const);
    faults.push({ kind: 'lambda', region: random.pick(observers), function: random.pick(['decide', 'probe'] as const), behaviour, ...(behaviour === 'slow' ? { delayMs: random.int(500, 8_000) } : { reservedConcurrency: random.int(0, 2) }), ...window(random, 20_000, 150_000) });
  }
  if (random.chance(0.15)) faults.push({ kind: 'override', region: random.pick(observers), target: random.pick(observers), action: random.chance(0.7) ? 'drain' : 'serve', ttlMs: random.int(60_000, 180_000), atMs: random.int(faultFromMs, 200_000) });

  const raw = {
    name: `fuzz-${mode}-${seed}`,
    title: `fuzz: generated from seed ${seed} within the fault hypothesis (R=${n})`,
    mode,
    safetyMs,
    livenessMs: generatedLivenessMs,
    config: { safety: { maxDrained: random.int(1, Math.max(1, n - 2)) } },
    world: n === 3 ? {} : { observers },
    faults,
    expect: {},
  };
  return parseScenario(stringify(raw), `fuzz seed ${seed}`);
}

/** The scenario as a file (sim/scenarios/*.yml), with the command that produced it. */
export function scenarioYaml(scenario: Scenario, seed: number): string {
  const { name, title, mode, safetyMs: s, livenessMs: l, config, world, faults } = scenario;
  const head = stringify({ name, title, mode, safetyMs: s, livenessMs: l, config, world }).trimEnd();
  // One fault per line, as the hand-written scenarios have them (JSON is YAML's flow style).
  return `# Generated by \`npx tsx sim/fuzz.ts --from ${seed} --count 1 --mode ${mode}\`.\n${head}\nfaults:\n${faults.map((f) => `  - ${JSON.stringify(f)}`).join('\n')}\nexpect: {}\n`;
}

export interface FuzzFailure {
  scenarioSeed: number;
  mode: ScenarioMode;
  runSeed: number;
  violations: string[];
}

/** Runs `count` generated scenarios from `from`, each with run seeds 1…seeds, in each mode. */
export async function fuzz(options: { from: number; count: number; seeds: number; modes: readonly ScenarioMode[] }): Promise<{ runs: number; failures: FuzzFailure[] }> {
  const picked: Array<{ scenarioSeed: number; mode: ScenarioMode }> = [];
  for (let s = options.from; s < options.from + options.count; s += 1) for (const mode of options.modes) picked.push({ scenarioSeed: s, mode });
  return fuzzScenarios(picked, options.seeds);
}

/** Runs each generated scenario with run seeds 1…seeds; the failing runs, with every violation. */
export async function fuzzScenarios(scenarios: ReadonlyArray<{ scenarioSeed: number; mode: ScenarioMode }>, seeds: number): Promise<{ runs: number; failures: FuzzFailure[] }> {
  const failures: FuzzFailure[] = [];
  let runs = 0;
  for (const { scenarioSeed, mode } of scenarios) {
    const scenario = generateScenario(scenarioSeed, mode);
    for (let runSeed = 1; runSeed <= seeds; runSeed += 1) {
      runs += 1;
      const result = await runSimulation(scenario, runSeed);
      const violations = violationsOf(result.check).map((v) => `${v.invariant}${v.target ? ` ${v.target}` : ''} at ${v.atMs} ms: ${v.detail}`);
      if (violations.length > 0) failures.push({ scenarioSeed, mode, runSeed, violations });
    }
  }
  return { runs, failures };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '200' },
      from: { type: 'string', default: '1' },
      seeds: { type: 'string', default: '3' },
      mode: { type: 'string', default: 'both' },
      out: { type: 'string', default: 'test-output/fuzz' },
    },
  });
  const int = (name: string, v: string) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < 1) throw new Error(`--${name} must be a positive integer (got ${JSON.stringify(v)})`);
    return x;
  };
  const modes: ScenarioMode[] = values.mode === 'both' ? ['control-plane', 'gate'] : values.mode === 'control-plane' || values.mode === 'gate' ? [values.mode] : (() => { throw new Error(`--mode must be control-plane, gate or both (got ${JSON.stringify(values.mode)})`); })();
  const from = int('from', values.from!);
  const { runs, failures } = await fuzz({ from, count: int('count', values.count!), seeds: int('seeds', values.seeds!), modes });
  mkdirSync(values.out!, { recursive: true });
  for (const f of failures) {
    console.log(`scenario ${f.scenarioSeed} (${f.mode}) run seed ${f.runSeed}:\n  ${f.violations.slice(0, 5).join('\n  ')}`);
    writeFileSync(join(values.out!, `fuzz-${f.mode}-${f.scenarioSeed}.yml`), scenarioYaml(generateScenario(f.scenarioSeed, f.mode), f.scenarioSeed));
  }
  console.log(`${runs} runs, ${failures.length} failing${failures.length > 0 ? `; scenarios written to ${values.out}` : ''}`);
  if (failures.length > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 2;
  });
}
