/**
 * Data-plane benchmark: the control-plane (`weight`) mode, the gate at the standard (30 s, the
 * default) and the fast (10 s) check interval, side by side — a hard outage alone, the same outage with the Route 53 control plane down for 10 minutes, and us-east-1 down
 * with the control plane for 15 minutes — with detect and RTO percentiles and what each mode adds
 * to the monthly bill.
 * Writes bench/results/dataplane.json. Seeds are 1…runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPlaneMonthlyCost, type DataPlaneCost } from '../shared/domain';
import { estimateMonthlyCost } from '../shared/domain/cost/cost-model';
import { dataPlaneConfig, runDataPlaneSimulation, type DataPlaneOptions } from '../sim/dataplane/dataplane-sim';
import { loadScenario } from '../sim/scenario';
import { simConfig } from '../sim/sim-config';
import { runSimulation } from '../sim/simulation';

/** Runs per row: a gate run takes about 2.5 s on one core. */
export const seedsPerRow = 30;

interface Row {
  mode: 'control-plane' | 'data-plane gate 30 s' | 'data-plane gate 10 s';
  scenario: string;
  runs: number;
  detectP50Ms: number | null;
  detectP95Ms: number | null;
  rtoP95Ms: number | null;
  missed: number;
  invalid: number;
  addedUsdPerMonth: number;
  /** The whole deployment's monthly cost from the cost model (`arbiter cost`). */
  totalUsdPerMonth: number;
}

function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1]!;
}

function row(mode: Row['mode'], scenario: string, results: ReadonlyArray<{ detectMs: number | null; rtoMs: number | null; valid: boolean }>, addedUsdPerMonth: number, totalUsdPerMonth: number): Row {
  const detects = results.map((r) => r.detectMs).filter((d): d is number => d !== null);
  const rtos = results.map((r) => r.rtoMs).filter((d): d is number => d !== null);
  return {
    mode, scenario, runs: results.length, detectP50Ms: percentile(detects, 0.5), detectP95Ms: percentile(detects, 0.95), rtoP95Ms: percentile(rtos, 0.95),
    missed: results.length - detects.length, invalid: results.filter((r) => !r.valid).length, addedUsdPerMonth, totalUsdPerMonth,
  };
}

async function controlPlaneRow(name: string, totalUsd: number): Promise<Row> {
  const results = [];
  for (let seed = 1; seed <= seedsPerRow; seed += 1) {
    const r = await runSimulation({ ...loadScenario(name), mode: 'control-plane' }, seed);
    results.push({ detectMs: r.arbiter.detectMs, rtoMs: r.arbiter.rtoMs, valid: r.check.valid });
  }
  return row('control-plane', name, results, 0, totalUsd);
}

async function dataPlaneRow(name: string, mode: Exclude<Row['mode'], 'control-plane'>, cost: DataPlaneCost, totalUsd: number): Promise<Row> {
  const results = [];
  const options: DataPlaneOptions = mode === 'data-plane gate 10 s' ? { dataPlane: { checkIntervalSeconds: 10 } } : {};
  for (let seed = 1; seed <= seedsPerRow; seed += 1) {
    const r = await runDataPlaneSimulation(loadScenario(name), seed, options);
    results.push({ detectMs: r.metrics.detectMs, rtoMs: r.metrics.rtoMs, valid: r.problems.length === 0 });
  }
  return row(mode, name, results, cost.totalUsd, totalUsd);
}

const s = (v: number | null) => (v === null ? '—' : (v / 1000).toFixed(1));

function table(rows: readonly Row[]): string {
  const header = ['mode', 'scenario', 'runs', 'detect p50 s', 'detect p95 s', 'rto p95 s', 'missed', 'invalid', 'added $/month', 'total $/month'];
  const lines = rows.map((r) => [r.mode, r.scenario, String(r.runs), s(r.detectP50Ms), s(r.detectP95Ms), s(r.rtoP95Ms), String(r.missed), String(r.invalid), r.addedUsdPerMonth.toFixed(2), r.totalUsdPerMonth.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

export async function run(): Promise<void> {
  const hard = 'failover-hard-outage';
  const outage = 'failover-route53-outage-10min';
  const usEast1 = 'failover-gate-us-east-1-outage-route53-down-15min';
  const base = simConfig(loadScenario(outage));
  const configs = { gate: dataPlaneConfig(base), fast: dataPlaneConfig(base, { checkIntervalSeconds: 10 }) };
  const cost = { gate: dataPlaneMonthlyCost(configs.gate), fast: dataPlaneMonthlyCost(configs.fast) };
  const total = { control: estimateMonthlyCost(base).totalUsd, gate: estimateMonthlyCost(configs.gate).totalUsd, fast: estimateMonthlyCost(configs.fast).totalUsd };
  const rows: Row[] = [];
  for (const name of [hard, outage, usEast1]) {
    rows.push(await controlPlaneRow(name, total.control));
    rows.push(await dataPlaneRow(name, 'data-plane gate 30 s', cost.gate, total.gate));
    rows.push(await dataPlaneRow(name, 'data-plane gate 10 s', cost.fast, total.fast));
  }
  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write(`added cost, 3 observers × 3 targets: ${JSON.stringify(cost)}\n`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dataplane.json'), `${JSON.stringify({ seedsPerRow, rows, cost: { ...cost, totalUsdPerMonth: total } }, null, 2)}\n`);
}
