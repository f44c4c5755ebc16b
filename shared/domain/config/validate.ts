/**
 * Config validation: shape (zod) and meaning (rules across fields), every problem at once.
 *
 * @example
 *   const result = validateConfig(yamlValue);
 *   if (!result.ok) for (const e of result.errors) console.error(`${e.path}: ${e.message}`);
 */
import type { z } from 'zod';
import { parseScheduleExpression } from '../schedule/schedule-expression';
import { configSchema, type ArbiterConfig } from './schema';

export interface ConfigProblem {
  /** Where the problem is, e.g. `targets[1].endpoints[0].timeoutMs`; empty for the whole file. */
  path: string;
  message: string;
}

/** A config after validation: every default filled in, `maxDrained` resolved. */
export type ValidConfig = ArbiterConfig & { safety: ArbiterConfig['safety'] & { maxDrained: number } };

export type ConfigResult = { ok: true; config: ValidConfig } | { ok: false; errors: ConfigProblem[] };

/** Formats a path such as `['targets', 1, 'timeoutMs']` as `targets[1].timeoutMs`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function shapeProblems(issues: ReadonlyArray<z.core.$ZodIssue>): ConfigProblem[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = formatPath(issue.path);
      return { path: where, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling)` };
    }
    return { path: formatPath(issue.path), message: issue.message };
  });
}

function duplicates<T>(items: readonly T[]): Set<T> {
  const seen = new Set<T>();
  const dup = new Set<T>();
  for (const item of items) (seen.has(item) ? dup : seen).add(item);
  return dup;
}

function observerProblems(config: ArbiterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const n = config.observers.length;
  if (n === 1) problems.push({ path: 'observers', message: 'needs at least 2 regions (3 or more for a real quorum): one observer is a single region' });
  if (n === 2 && !config.acknowledgeTwoObserverUnanimity) {
    problems.push({ path: 'observers', message: 'has 2 regions, so quorum means both must agree; add a third region or set acknowledgeTwoObserverUnanimity: true' });
  }
  for (const region of duplicates(config.observers)) problems.push({ path: 'observers', message: `lists ${region} more than once` });
  return problems;
}

function urlSchemeProblem(url: string, path: string): ConfigProblem | null {
  return /^https?:\/\//i.test(url) ? null : { path, message: `must be an http(s) URL, got ${JSON.stringify(url.slice(0, 80))}` };
}

/** The endpoint URL schemes of a value whose shape failed elsewhere (read defensively: any shape). */
function rawUrlSchemeProblems(value: unknown): ConfigProblem[] {
  const targets = (value as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(targets)) return [];
  return targets.flatMap((target: unknown, t) => {
    const endpoints = (target as { endpoints?: unknown } | null)?.endpoints;
    if (!Array.isArray(endpoints)) return [];
    return endpoints.flatMap((endpoint: unknown, e) => {
      const url = (endpoint as { url?: unknown } | null)?.url;
      const problem = typeof url === 'string' && URL.canParse(url) ? urlSchemeProblem(url, `targets[${t}].endpoints[${e}].url`) : null;
      return problem === null ? [] : [problem];
    });
  });
}

function endpointProblems(config: ArbiterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { intervalMs, confirmCount, confirmSpacingMs } = config.probe;
  config.targets.forEach((target, t) => {
    target.endpoints.forEach((endpoint, e) => {
      const at = `targets[${t}].endpoints[${e}]`;
      const scheme = urlSchemeProblem(endpoint.url, `${at}.url`);
      if (scheme !== null) problems.push(scheme);
      if (endpoint.timeoutMs > intervalMs) problems.push({ path: `${at}.timeoutMs`, message: `must not exceed probe.intervalMs (${intervalMs})` });
      if (endpoint.latencyMsMax > endpoint.timeoutMs) problems.push({ path: `${at}.latencyMsMax`, message: `must not exceed timeoutMs (${endpoint.timeoutMs})` });
      if (endpoint.expectStatus.min > endpoint.expectStatus.max) problems.push({ path: `${at}.expectStatus`, message: `min (${endpoint.expectStatus.min}) must not exceed max (${endpoint.expectStatus.max})` });
    });
  });
  if (confirmCount * confirmSpacingMs >= intervalMs) {
    problems.push({ path: 'probe.confirmSpacingMs', message: `confirmCount × confirmSpacingMs (${confirmCount * confirmSpacingMs}) must be less than probe.intervalMs (${intervalMs})` });
  }
  return problems;
}

/** A zone id and record name as Route 53 compares them: no `/hostedzone/` prefix, lower case, no final dot. */
function recordSetKey(record: { hostedZoneId: string; recordName: string; recordType: string }): { zone: string; set: string } {
  const zone = record.hostedZoneId.replace(/^\/hostedzone\//, '');
  const name = record.recordName.toLowerCase().replace(/\.$/, '');
  return { zone, set: `${name} ${record.recordType}` };
}

/** Extra records: health-check mode only, and each record (zone, name, type, SetIdentifier) bound once in the whole config. */
function extraRecordProblems(config: ArbiterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  const key = (r: { hostedZoneId: string; recordName: string; recordType: string; setIdentifier: string }) => { const k = recordSetKey(r); return `${k.zone}|${k.set}|${r.setIdentifier}`; };
  config.targets.forEach((target, t) => seen.set(key(target.route53), `targets[${t}].route53`));
  config.targets.forEach((target, t) => {
    (target.route53.extraRecords ?? []).forEach((record, r) => {
      const at = `targets[${t}].route53.extraRecords[${r}]`;
      if (target.route53.mode !== 'health-check') problems.push({ path: at, message: 'applies only with route53.mode: health-check (weight mode changes one weighted record)' });
      const first = seen.get(key(record));
      if (first !== undefined) problems.push({ path: at, message: `binds the same record (${recordSetKey(record).set}, SetIdentifier ${record.setIdentifier}) as ${first}: a record takes one health check` });
      else seen.set(key(record), at);
    });
  });
  return problems;
}

/** Record bindings: one record per target, one policy and (for weight mode) one zone per record set. */
function recordProblems(config: ArbiterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const keys = config.targets.map((t) => recordSetKey(t.route53));
  const policy = (t: number) => config.targets[t]!.route53.routingPolicy ?? 'weighted';
  config.targets.forEach((target, t) => {
    const at = `targets[${t}].route53`;
    const { zone, set } = keys[t]!;
    const same = keys.findIndex((k, o) => o < t && k.zone === zone && k.set === set && config.targets[o]!.route53.setIdentifier === target.route53.setIdentifier);
    if (same >= 0) problems.push({ path: `${at}.setIdentifier`, message: `binds the same record (zone ${zone}, ${set}, SetIdentifier ${target.route53.setIdentifier}) as targets[${same}]: a record can move for one target only` });
    const other = keys.findIndex((k, o) => o !== t && k.set === set);
    if (other >= 0 && keys[other]!.zone === zone && policy(other) !== policy(t)) {
      problems.push({ path: `${at}.routingPolicy`, message: `is ${policy(t)} but targets[${other}] binds ${set} in the same zone as ${policy(other)}: Route 53 allows one routing policy per record name and type` });
    }
    if ((target.route53.mode ?? 'weight') !== 'weight') return;
    if (policy(t) !== 'weighted') problems.push({ path: `${at}.routingPolicy`, message: `is ${policy(t)}, which route53.mode weight cannot drive (it changes weights, and a ${policy(t)} record has none): use mode: health-check` });
    const elsewhere = keys.findIndex((k, o) => o !== t && k.set === set && k.zone !== zone && (config.targets[o]!.route53.mode ?? 'weight') === 'weight');
    if (elsewhere >= 0) problems.push({ path: `${at}.hostedZoneId`, message: `${zone} holds ${set}, which targets[${elsewhere}] binds in zone ${keys[elsewhere]!.zone}: a weighted set lives in one zone, so weight mode could not move traffic between them (bind them in one zone, or use mode: health-check)` });
  });
  return problems;
}

function targetProblems(config: ArbiterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const region of duplicates(config.targets.map((t) => t.region))) problems.push({ path: 'targets', message: `has two targets for ${region}` });
  config.targets.forEach((target, t) => {
    if (target.route53.vote !== undefined && target.route53.mode !== 'health-check') {
      problems.push({ path: `targets[${t}].route53.vote`, message: 'applies only with route53.mode: health-check (a vote is how an observer drives the health checks)' });
    }
  });
  return [...problems, ...recordProblems(config), ...extraRecordProblems(config)];
}

function probeTimingProblems(config: ArbiterConfig): ConfigProblem[] {
  const { intervalMs, verdictRefreshMs, verdictFreshnessMs } = config.probe;
  const problems: ConfigProblem[] = [];
  if (verdictRefreshMs < intervalMs) problems.push({ path: 'probe.verdictRefreshMs', message: `must be at least probe.intervalMs (${intervalMs})` });
  if (verdictFreshnessMs < verdictRefreshMs + intervalMs) {
    problems.push({ path: 'probe.verdictFreshnessMs', message: `must be at least verdictRefreshMs + intervalMs (${verdictRefreshMs + intervalMs}), or fresh verdicts would read as stale` });
  }
  return problems;
}

function safetyProblems(config: ArbiterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const n = config.targets.length;
  const { minServing, maxDrained } = config.safety;
  if (minServing > n) problems.push({ path: 'safety.minServing', message: `must not exceed the number of targets (${n})` });
  if (maxDrained !== undefined && maxDrained > n - Math.min(minServing, n)) {
    problems.push({ path: 'safety.maxDrained', message: `must not exceed targets minus minServing (${n - Math.min(minServing, n)})` });
  }
  return problems;
}

function signalProblems(config: ArbiterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const targets = new Set(config.targets.map((t) => t.region));
  config.alarms.forEach((alarm, i) => {
    if (!targets.has(alarm.target)) problems.push({ path: `alarms[${i}].target`, message: `${alarm.target} is not a configured target` });
  });
  for (const name of duplicates(config.alarms.map((a) => a.name))) problems.push({ path: 'alarms', message: `lists alarm ${name} more than once` });
  config.drills.forEach((drill, i) => {
    if (!targets.has(drill.target)) problems.push({ path: `drills[${i}].target`, message: `${drill.target} is not a configured target` });
    const schedule = parseScheduleExpression(drill.schedule);
    if (!schedule.ok) for (const message of schedule.problems) problems.push({ path: `drills[${i}].schedule`, message });
    if (drill.holdSeconds > config.overrides.ttlSecondsMax) problems.push({ path: `drills[${i}].holdSeconds`, message: `must not exceed overrides.ttlSecondsMax (${config.overrides.ttlSecondsMax})` });
  });
  for (const name of duplicates(config.drills.map((d) => d.name))) problems.push({ path: 'drills', message: `has two drills named ${name}` });
  return problems;
}

function notificationProblems(config: ArbiterConfig): ConfigProblem[] {
  const n = config.notifications;
  if (n === undefined) return [];
  if ((n.topic === undefined) === (n.topicArns === undefined)) return [{ path: 'notifications', message: 'needs exactly one of topic: create or topicArns (an existing SNS topic per observer region)' }];
  if (n.topicArns === undefined) return [];
  const problems: ConfigProblem[] = [];
  for (const region of config.observers) if (n.topicArns[region] === undefined) problems.push({ path: 'notifications.topicArns', message: `has no topic for observer ${region}` });
  for (const [region, arn] of Object.entries(n.topicArns)) {
    if (!config.observers.includes(region)) problems.push({ path: `notifications.topicArns.${region}`, message: `${region} is not an observer` });
    else if (arn.split(':')[3] !== region) problems.push({ path: `notifications.topicArns.${region}`, message: `${arn} is not in ${region} (an alarm can only notify a topic in its own region)` });
  }
  return problems;
}

/** Default for `safety.maxDrained`: at most one target drained by automation, never below minServing. */
export function defaultMaxDrained(targetCount: number, minServing: number): number {
  return Math.max(0, Math.min(1, targetCount - minServing));
}

/** A deep copy of `value` without what is at `path` (or, for unknown keys, without those keys). */
function without(value: unknown, issue: z.core.$ZodIssue): unknown {
  const copy = structuredClone(value) as Record<PropertyKey, unknown>;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const path = issue.code === 'unrecognized_keys' ? issue.path : issue.path.slice(0, -1);
  const last = issue.code === 'unrecognized_keys' ? null : issue.path[issue.path.length - 1];
  let parent: unknown = copy;
  for (const part of path) parent = (parent as Record<PropertyKey, unknown> | null)?.[part as string];
  if (parent === null || typeof parent !== 'object') return copy;
  for (const key of last === null || last === undefined ? keys : [last]) delete (parent as Record<PropertyKey, unknown>)[key as string];
  return copy;
}

/**
 * The meaning problems of a value whose shape failed, so that one wrong field does not hide the
 * rest: the failing fields are removed (defaults fill in where there are some) and, when what is
 * left has a valid shape, its meaning is checked.
 */
function meaningDespiteShape(value: unknown, issues: ReadonlyArray<z.core.$ZodIssue>): ConfigProblem[] {
  if (value === null || typeof value !== 'object') return [];
  const repaired = configSchema.safeParse(issues.reduce<unknown>((v, issue) => without(v, issue), value));
  if (!repaired.success) return [];
  const reported = issues.map((i) => formatPath(i.path)).filter((r) => r !== '');
  // The repaired value is a guess: a problem on a reported path, under it or above it may be the
  // removal's doing (a removed topic ARN makes "no topic for that observer"), so it is left out.
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  return meaningProblems(repaired.data).filter((p) => !reported.some((r) => related(p.path, r) || related(r, p.path)));
}

function meaningProblems(config: ArbiterConfig): ConfigProblem[] {
  return [
    ...observerProblems(config),
    ...targetProblems(config),
    ...endpointProblems(config),
    ...probeTimingProblems(config),
    ...safetyProblems(config),
    ...signalProblems(config),
    ...notificationProblems(config),
  ];
}

/** Validates a parsed YAML value. Pure: returns every problem, never throws. */
export function validateConfig(value: unknown): ConfigResult {
  if (value === null || value === undefined) return { ok: false, errors: [{ path: '', message: 'the configuration is empty: start from arbiter.config.yml in the project (README, Configuration)' }] };
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const meaning = meaningDespiteShape(value, parsed.error.issues);
    const schemes = rawUrlSchemeProblems(value).filter((p) => !meaning.some((m) => m.path === p.path));
    return { ok: false, errors: [...shapeProblems(parsed.error.issues), ...schemes, ...meaning] };
  }
  const config = parsed.data;
  const errors = meaningProblems(config);
  if (errors.length > 0) return { ok: false, errors };
  const maxDrained = config.safety.maxDrained ?? defaultMaxDrained(config.targets.length, config.safety.minServing);
  return { ok: true, config: { ...config, safety: { ...config.safety, maxDrained } } };
}

/** Quorum: ⌊n/2⌋+1 of n observers. */
export function quorumSize(observerCount: number): number {
  if (!Number.isInteger(observerCount) || observerCount < 1) throw new Error(`quorumSize: observer count must be a positive integer, got ${observerCount}`);
  return Math.floor(observerCount / 2) + 1;
}
