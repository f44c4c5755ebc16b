/**
 * Scenario files (sim/scenarios/*.yml): the world, its faults and what must hold, as data.
 * Times are virtual milliseconds from the start of the run; `[min, max]` ranges are drawn per
 * seed. `mode` names the binding under test: `control-plane` (weighted records changed through
 * the Route 53 API), or the data-plane mode (`gate`: every target in health-check mode, Route 53's
 * health checkers reading the observers' gate votes). docs/simulation.md documents every field.
 *
 * The format only grows: a file that ran before runs unchanged — except `mode: metric`, refused
 * with its reason since metric votes were removed from Arbiter. Every name a fault or an
 * expectation uses must be an observer or a target of the scenario's world, or loading fails
 * with the file's path and the field's path.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const msOrRange = z.union([z.number().int().nonnegative(), z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])]);
const region = z.string().min(1);
const window = { atMs: msOrRange, untilMs: msOrRange.optional() };

/** The simulator's default observers (and targets): three regions. */
export const defaultRegions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;

const faultSchema = z.discriminatedUnion('kind', [
  /** The application in `target` (or every target, '*'): seen alike by observers and Route 53 checkers. */
  z.object({ kind: z.literal('target'), target: region, behaviour: z.enum(['down', 'slow', 'flaky', 'flap']), latencyMs: z.number().positive().optional(), lossRate: z.number().min(0).max(1).optional(), upMs: z.number().int().positive().optional(), downMs: z.number().int().positive().optional(), ...window }).strict(),
  /** One observer→target network path only (Route 53 checkers are elsewhere and unaffected); '*' on either side means every one (`target: '*'`: the observer's egress). */
  z.object({ kind: z.literal('path'), observer: region, target: region, behaviour: z.enum(['partitioned', 'slow', 'flaky']), latencyMs: z.number().positive().optional(), lossRate: z.number().min(0).max(1).optional(), ...window }).strict(),
  /** Whole-region failure: that region's application and its Arbiter stop together; `route53ControlPlane`: the Route 53 API (hosted in us-east-1) is down for the same window. */
  z.object({ kind: z.literal('region-down'), region, route53ControlPlane: z.boolean().optional(), ...window }).strict(),
  /** Event loss, duplication, reordering on every bus; `correlated`: one loss draw per event for all destinations; `burst`: loss only in on-windows repeating from atMs. */
  z.object({ kind: z.literal('bus'), lossRate: z.number().min(0).max(1), duplicateRate: z.number().min(0).max(1).default(0), reorderMsMax: z.number().int().nonnegative().default(0), correlated: z.boolean().optional(), burst: z.object({ onMs: z.number().int().positive(), offMs: z.number().int().positive() }).strict().optional(), ...window }).strict(),
  /** Events published in `from` (or '*') are dropped on their way to `to` (or '*'): one direction only. */
  z.object({ kind: z.literal('bus-partition'), from: region, to: region, ...window }).strict(),
  z.object({ kind: z.literal('replication-lag'), delayMs: msOrRange, ...window }).strict(),
  /** One region's replica refuses every read and write; its bus still works; replication into and out of it waits until it returns. */
  z.object({ kind: z.literal('store-unavailable'), region, ...window }).strict(),
  z.object({ kind: z.literal('route53-throttle'), burst: z.number().int().nonnegative(), refillPerSecond: z.number().nonnegative(), ...window }).strict(),
  z.object({ kind: z.literal('route53-outage'), ...window }).strict(),
  /** One region's decide or probe function: `slow` adds delayMs to each invocation; `throttled` drops invocations beyond reservedConcurrency in flight (async: retried twice, then lost). */
  z.object({ kind: z.literal('lambda'), region, function: z.enum(['decide', 'probe']), behaviour: z.enum(['slow', 'throttled']), delayMs: z.number().int().positive().optional(), reservedConcurrency: z.number().int().nonnegative().optional(), ...window }).strict(),
  /** A CloudWatch alarm state change (the alarm must be in config.alarms), delivered to the alarm function of every observer region that is up. */
  z.object({ kind: z.literal('alarm'), alarm: z.string().min(1), state: z.enum(['ALARM', 'OK']), atMs: msOrRange }).strict(),
  /** An operator override written straight into one region's replica (as the API would). */
  z.object({ kind: z.literal('override'), region, target: region, action: z.enum(['drain', 'serve']), ttlMs: z.number().int().positive(), force: z.boolean().default(false), id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/).optional(), atMs: msOrRange }).strict(),
  /** The operator ends the override created by fault number `override` early, through the API in `region` (the real endOverride). */
  z.object({ kind: z.literal('override-end'), region, override: z.number().int().nonnegative(), atMs: msOrRange }).strict(),
  /** An operator starts a drill in `region` (the real createDrill + DrillRuntime, in that region's drill function). */
  z.object({ kind: z.literal('drill'), region, target: region, mode: z.enum(['shadow', 'evacuate']), holdSeconds: z.number().int().min(30).max(3600), atMs: msOrRange }).strict(),
]);

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(1),
    mode: z.enum(['control-plane', 'gate'], {
      error: (issue) => (issue.input === 'metric'
        ? 'metric votes were removed from Arbiter: Route 53 reads only standard-resolution alarms (evaluated once a minute), so they detected in 75–90 s and could not release a held drain in time; use gate (docs/dataplane.md "Why not metric votes")'
        : `must be control-plane or gate (got ${JSON.stringify(issue.input)})`),
    }).default('control-plane'),
    /** Faults on for `safetyMs`, then off; the system must converge within `livenessMs`. */
    safetyMs: z.number().int().positive(),
    livenessMs: z.number().int().positive(),
    /** Partial config merged over the simulator's default config. */
    config: z
      .object({
        probe: z.record(z.string(), z.unknown()).optional(),
        safety: z.record(z.string(), z.unknown()).optional(),
        /** As arbiter.config.yml `alarms` (name, target, effect). */
        alarms: z.array(z.record(z.string(), z.unknown())).optional(),
        /** As arbiter.config.yml `overrides` (ttlSecondsMax, operators). */
        overrides: z.record(z.string(), z.unknown()).optional(),
        /** As arbiter.config.yml `dataPlane` (checkIntervalSeconds, checkerRegions): how Route 53 reads gate votes. */
        dataPlane: z.record(z.string(), z.unknown()).optional(),
      })
      .strict()
      .default({}),
    world: z
      .object({
        clockSkewMsMax: z.number().int().nonnegative().default(200),
        /** Probability that the seed switches fault sites on (crashes half-way through an invocation). */
        buggifyRate: z.number().min(0).max(1).default(0.5),
        crashRate: z.number().min(0).max(1).default(0.02),
        /** Observer regions (2 to 7); default the three sim regions. */
        observers: z.array(region).min(2).max(7).optional(),
        /** Target regions; default the observers. */
        targets: z.array(region).min(1).max(20).optional(),
        /** Fixed clock skew for chosen observers (others are drawn within clockSkewMsMax). */
        clockSkewMs: z.record(z.string(), z.number().int()).optional(),
      })
      .strict()
      .default({ clockSkewMsMax: 200, buggifyRate: 0.5, crashRate: 0.02 }),
    faults: z.array(faultSchema).max(50),
    expect: z
      .object({
        /** These targets must be drained during the safety phase (detect time measured from `onsetFault`). */
        failOver: z.array(region).default([]),
        onsetFault: z.number().int().nonnegative().optional(),
        /** Draining any of these is a false failover. '*' means every target. */
        mustNotDrain: z.union([z.literal('*'), z.array(region)]).default([]),
        /** No Route 53 change at all during the safety phase (fail static). */
        failStatic: z.boolean().default(false),
        /** Counted in the bench's false-failover total. */
        falseFailoverClass: z.boolean().default(false),
        /** Bound on "a really failing target keeps serving" for this scenario (default 120 s; read by the checker). */
        detectBoundMs: z.number().int().positive().optional(),
      })
      .strict(),
  })
  .strict();

export type Scenario = z.output<typeof scenarioSchema>;
export type FaultSpec = Scenario['faults'][number];
export type ScenarioMode = Scenario['mode'];

export const scenariosDir = join(__dirname, 'scenarios');

export function scenarioObservers(scenario: { world?: { observers?: string[] | undefined } }): string[] {
  return scenario.world?.observers ?? [...defaultRegions];
}

export function scenarioTargets(scenario: { world?: { observers?: string[] | undefined; targets?: string[] | undefined } }): string[] {
  return scenario.world?.targets ?? scenarioObservers(scenario);
}

/** Every name a fault or an expectation uses, checked against the world; one message per problem. */
function nameProblems(s: Scenario): string[] {
  const observers = scenarioObservers(s);
  const targets = scenarioTargets(s);
  const regions = [...new Set([...observers, ...targets])];
  const alarms = (s.config.alarms ?? []).map((a) => String(a.name));
  const problems: string[] = [];
  const check = (path: string, value: string, allowed: readonly string[], what: string, star = false) => {
    if (star && value === '*') return;
    if (!allowed.includes(value)) problems.push(`${path}: unknown ${what} "${value}" (${what}s: ${allowed.join(', ') || 'none'}${star ? ", or '*'" : ''})`);
  };
  const dup = (path: string, list: readonly string[]) => {
    const seen = list.filter((x, i) => list.indexOf(x) !== i);
    if (seen.length > 0) problems.push(`${path}: names ${seen.join(', ')} more than once`);
  };
  dup('world.observers', observers);
  dup('world.targets', targets);
  for (const r of Object.keys(s.world.clockSkewMs ?? {})) check(`world.clockSkewMs.${r}`, r, observers, 'observer');
  s.faults.forEach((f, i) => {
    const p = `faults.${i}`;
    switch (f.kind) {
      case 'target': check(`${p}.target`, f.target, targets, 'target', true); break;
      case 'path': check(`${p}.observer`, f.observer, observers, 'observer', true); check(`${p}.target`, f.target, targets, 'target', true); break;
      case 'region-down': check(`${p}.region`, f.region, regions, 'region'); break;
      case 'bus-partition': check(`${p}.from`, f.from, observers, 'observer', true); check(`${p}.to`, f.to, observers, 'observer', true); break;
      case 'store-unavailable': check(`${p}.region`, f.region, observers, 'observer'); break;
      case 'lambda': check(`${p}.region`, f.region, observers, 'observer'); break;
      case 'alarm': check(`${p}.alarm`, f.alarm, alarms, 'alarm (config.alarms)'); break;
      case 'override': check(`${p}.region`, f.region, observers, 'observer'); check(`${p}.target`, f.target, targets, 'target'); break;
      case 'override-end': {
        check(`${p}.region`, f.region, observers, 'observer');
        if (s.faults[f.override]?.kind !== 'override') problems.push(`${p}.override: fault ${f.override} is not an override`);
        break;
      }
      case 'drill': check(`${p}.region`, f.region, observers, 'observer'); check(`${p}.target`, f.target, targets, 'target'); break;
      default: break;
    }
  });
  s.expect.failOver.forEach((t, i) => check(`expect.failOver.${i}`, t, targets, 'target'));
  if (s.expect.mustNotDrain !== '*') s.expect.mustNotDrain.forEach((t, i) => check(`expect.mustNotDrain.${i}`, t, targets, 'target'));
  if (s.expect.onsetFault !== undefined && s.expect.onsetFault >= s.faults.length) problems.push(`expect.onsetFault: ${s.expect.onsetFault} names no fault`);
  const ids = s.faults.flatMap((f) => (f.kind === 'override' && f.id !== undefined ? [f.id] : []));
  dup('faults[].id', ids);
  return problems;
}

/** Parses scenario text; throws one error listing every problem, naming the file. */
export function parseScenario(text: string, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`scenario ${source} is not valid: ${problems}`);
  }
  const problems = nameProblems(parsed.data);
  if (problems.length > 0) throw new Error(`scenario ${source} is not valid: ${problems.join('; ')}`);
  return parsed.data;
}

/** The file a scenario name or path refers to (a name is looked up in sim/scenarios/). */
export function scenarioFile(nameOrFile: string): string {
  const byName = join(scenariosDir, `${nameOrFile}.yml`);
  return existsSync(byName) ? byName : nameOrFile;
}

/** Loads a scenario by name (sim/scenarios/<name>.yml) or by file path. */
export function loadScenario(nameOrFile: string): Scenario {
  const file = scenarioFile(nameOrFile);
  if (!existsSync(file)) throw new Error(`no scenario named ${nameOrFile} (known: ${scenarioNames().join(', ')})`);
  return parseScenario(readFileSync(file, 'utf8'), file === nameOrFile ? nameOrFile : `sim/scenarios/${nameOrFile}.yml`);
}

export function scenarioNames(): string[] {
  return readdirSync(scenariosDir).filter((f) => f.endsWith('.yml')).map((f) => f.replace(/\.yml$/, '')).sort();
}
