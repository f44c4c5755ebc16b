/**
 * Scenario files (sim/scenarios/*.yml): the world, its faults and what must hold, as data.
 * Times are virtual milliseconds from the start of the run; `[min, max]` ranges are drawn per
 * seed. `mode` names the binding under test: `control-plane` (weighted records changed through
 * the Route 53 API) is the only one today; another mode can be added beside it.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const msOrRange = z.union([z.number().int().nonnegative(), z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])]);
const region = z.string().min(1);
const window = { atMs: msOrRange, untilMs: msOrRange.optional() };

const faultSchema = z.discriminatedUnion('kind', [
  /** The application in `target` (or every target, '*'): seen alike by observers and Route 53 checkers. */
  z.object({ kind: z.literal('target'), target: region, behaviour: z.enum(['down', 'slow', 'flaky', 'flap']), latencyMs: z.number().positive().optional(), lossRate: z.number().min(0).max(1).optional(), upMs: z.number().int().positive().optional(), downMs: z.number().int().positive().optional(), ...window }).strict(),
  /** One observer→target network path only (Route 53 checkers are elsewhere and unaffected). */
  z.object({ kind: z.literal('path'), observer: region, target: region, behaviour: z.enum(['partitioned', 'slow', 'flaky']), latencyMs: z.number().positive().optional(), lossRate: z.number().min(0).max(1).optional(), ...window }).strict(),
  /** Whole-region failure: that region's application and its Arbiter stop together. */
  z.object({ kind: z.literal('region-down'), region, ...window }).strict(),
  z.object({ kind: z.literal('bus'), lossRate: z.number().min(0).max(1), duplicateRate: z.number().min(0).max(1).default(0), reorderMsMax: z.number().int().nonnegative().default(0), ...window }).strict(),
  z.object({ kind: z.literal('replication-lag'), delayMs: msOrRange, ...window }).strict(),
  z.object({ kind: z.literal('route53-throttle'), burst: z.number().int().nonnegative(), refillPerSecond: z.number().nonnegative(), ...window }).strict(),
  z.object({ kind: z.literal('route53-outage'), ...window }).strict(),
  /** An operator override written straight into one region's replica (as the API would). */
  z.object({ kind: z.literal('override'), region, target: region, action: z.enum(['drain', 'serve']), ttlMs: z.number().int().positive(), force: z.boolean().default(false), atMs: msOrRange }).strict(),
]);

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(1),
    mode: z.enum(['control-plane']).default('control-plane'),
    /** Faults on for `safetyMs`, then off; the system must converge within `livenessMs`. */
    safetyMs: z.number().int().positive(),
    livenessMs: z.number().int().positive(),
    /** Partial config merged over the simulator's default three-region config. */
    config: z.object({ probe: z.record(z.string(), z.unknown()).optional(), safety: z.record(z.string(), z.unknown()).optional() }).strict().default({}),
    world: z
      .object({
        clockSkewMsMax: z.number().int().nonnegative().default(200),
        /** Probability that the seed switches fault sites on (crashes half-way through an invocation). */
        buggifyRate: z.number().min(0).max(1).default(0.5),
        crashRate: z.number().min(0).max(1).default(0.02),
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
      })
      .strict(),
  })
  .strict();

export type Scenario = z.output<typeof scenarioSchema>;
export type FaultSpec = Scenario['faults'][number];

export const scenariosDir = join(__dirname, 'scenarios');

/** Parses scenario text; throws one error listing every problem, naming the file. */
export function parseScenario(text: string, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`scenario ${source} is not valid: ${problems}`);
  }
  if (parsed.data.expect.onsetFault !== undefined && parsed.data.expect.onsetFault >= parsed.data.faults.length) {
    throw new Error(`scenario ${source} is not valid: expect.onsetFault ${parsed.data.expect.onsetFault} names no fault`);
  }
  return parsed.data;
}

/** Loads a scenario by name (sim/scenarios/<name>.yml) or by file path. */
export function loadScenario(nameOrFile: string): Scenario {
  const byName = join(scenariosDir, `${nameOrFile}.yml`);
  const file = existsSync(byName) ? byName : nameOrFile;
  if (!existsSync(file)) throw new Error(`no scenario named ${nameOrFile} (known: ${scenarioNames().join(', ')})`);
  return parseScenario(readFileSync(file, 'utf8'), basename(file));
}

export function scenarioNames(): string[] {
  return readdirSync(scenariosDir).filter((f) => f.endsWith('.yml')).map((f) => f.replace(/\.yml$/, '')).sort();
}
