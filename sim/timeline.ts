/** Human-readable output of a run: its parameters, a timeline of the history, and a summary. */
import type { HistoryEntry } from './history';
import { describeFault } from './faults';
import type { SimulationResult } from './simulation';

function clock(atMs: number): string {
  const s = atMs / 1000;
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${(s % 60).toFixed(3).padStart(6, '0')}`;
}

function routing(r: Record<string, string>): string {
  return Object.entries(r).map(([t, s]) => `${t}=${s === 'serving' ? 'S' : 'D'}`).join(' ');
}

function line(e: HistoryEntry): string | null {
  switch (e.kind) {
    case 'fault-on': return `FAULT ON   ${e.summary}`;
    case 'fault-off': return `FAULT OFF  ${e.summary}`;
    case 'verdict': return `[${e.observer}] verdict ${e.target} → ${e.status} (${e.reason})`;
    case 'proposal': return `[${e.observer}] proposal #${e.seq}: ${routing(e.routing)}`;
    case 'applied': return `[${e.observer}] applied ${e.decisionId}: ${routing(e.routing)}`;
    case 'dns-change': return `[${e.observer}] ROUTE 53 ${e.changeId} ${e.changes.map((c) => `${c.target} ${c.fromWeight}→${c.toWeight}`).join(', ')} (decision ${e.decisionId}; INSYNC at ${clock(e.insyncAtMs)})`;
    case 'dns-error': return `[${e.observer}] Route 53 refused: ${e.code}`;
    case 'override': return `[${e.region}] override ${e.id}: ${e.action} ${e.target}${e.force ? ' (force)' : ''}, expires ${clock(e.expiresAtMs)}${e.source !== undefined ? ` (${e.source})` : ''}`;
    case 'override-end': return `[${e.region}] override ${e.overrideId} ended by ${e.actor}`;
    case 'refusal': return `[${e.observer}] safety rule ${e.rule} refused an action on ${e.target}`;
    case 'operator-action': return `[${e.region}] operator ${e.action}: ${e.outcome} (${e.detail})`;
    case 'drill': return `[${e.region}] ${e.mode} drill ${e.drillId} of ${e.target} ${e.phase === 'start' ? 'started' : `finished: ${e.status}`}`;
    case 'alarm': return `ALARM ${e.alarm} → ${e.state} (delivered to ${e.regions.join(', ') || 'no region'})`;
    case 'lambda-throttled': return `[${e.observer}] ${e.function} invocation throttled (attempt ${e.attempt})${e.lost ? ': LOST' : `, retried in ${(e.retryInMs! / 1000).toFixed(0)} s`}`;
    case 'route53-call': return null;
    case 'health-check': return `ROUTE 53 health check ${e.target} → ${e.healthy ? 'healthy' : 'UNHEALTHY'}`;
    case 'gate-answer': return `[${e.observer}] gate answers Route 53 ${e.drain ? 'drain' : 'no-drain'} for ${e.target}`;
    case 'crash': return `[${e.observer}] CRASH (fault site) ${e.site}`;
    case 'invocation-error': return `[${e.observer}] ${e.function} failed: ${e.message}`;
    case 'baseline': return null;
  }
}

/** The parameters derived from the seed: what `--seed` replays. */
export function formatParams(result: SimulationResult): string[] {
  const p = result.params;
  return [
    `scenario ${result.scenario}  seed ${result.seed}  buggify ${p.buggify ? `on (crash rate ${p.crashRate})` : 'off'}`,
    ...p.regions.map((r) => `  ${r.region}: clock skew ${r.clockSkewMs} ms, probe invocation at +${r.probeOffsetMs} ms, scheduled decide at +${r.decideOffsetMs} ms (every 60 s)`),
    ...p.faults.map((f) => `  fault ${f.index}: ${describeFault(f)}`),
  ];
}

/** The timeline; Route 53 refusals are folded into counts to keep it readable. */
export function formatTimeline(result: SimulationResult): string[] {
  const out: string[] = [];
  const merged = [...result.history.map((e) => ({ atMs: e.atMs, text: line(e) })), ...result.baselineHistory.map((b) => ({ atMs: b.atMs, text: `[route53-baseline] health check ${b.target} → ${b.healthy ? 'healthy' : 'UNHEALTHY'}` }))]
    .sort((a, b) => a.atMs - b.atMs);
  let refusals = 0;
  for (const e of merged) {
    if (e.text === null) continue;
    if (e.text.includes('Route 53 refused')) { refusals += 1; continue; }
    out.push(`${clock(e.atMs)}  ${e.text}`);
  }
  if (refusals > 0) out.push(`(${refusals} Route 53 calls refused with Throttling/PriorRequestNotComplete/unavailable, each retried within its bound)`);
  return out;
}

const ms = (v: number | null) => (v === null ? '—' : `${(v / 1000).toFixed(1)} s`);

export function formatSummary(result: SimulationResult): string[] {
  const verdict = result.check.valid ? ['VALID: every invariant held'] : [`INVALID: ${result.check.violations.length} violation(s)`, ...result.check.violations.map((v) => `  ${v.invariant}${v.target === null ? '' : ` ${v.target}`} at ${clock(v.atMs)}: ${v.detail}`)];
  return [
    ...verdict,
    `arbiter:          detect ${ms(result.arbiter.detectMs)}, rto ${ms(result.arbiter.rtoMs)}, false failovers ${result.arbiter.falseFailovers}, most flips of one target ${result.arbiter.flipsMax}`,
    `route53-baseline: detect ${ms(result.baseline.detectMs)}, rto ${ms(result.baseline.rtoMs)}, false failovers ${result.baseline.falseFailovers}, most flips of one target ${result.baseline.flipsMax}`,
    `(${result.eventsRun} scheduler events)`,
  ];
}
