/** `arbiter cost [--config file]`: the estimated monthly AWS bill of the configured deployment, line by line. */
import { formatProblems, loadConfigFile } from '../../shared/adapters/config/config-file';
import { estimateMonthlyCost, type CostEstimate } from '../../shared/domain/cost/cost-model';
import { exitCodes, type CommandIo } from '../io';

const usd = (value: number) => (value > 0 && value < 0.01 ? '<$0.01' : `$${value.toFixed(2)}`);
const amount = (value: number) => (value >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 0 : 2));

/** The estimate as a table, the total, and the ARC comparison. */
export function formatCostEstimate(estimate: CostEstimate): string {
  const rows = estimate.lines.map((l) => [l.service, l.item, `${amount(l.quantity)} ${l.unit}`, usd(l.monthlyUsd)]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [`Estimated monthly AWS bill: ${estimate.regions} observer regions (us-east-1 list prices read ${estimate.pricesReadOn}, no free tier)`];
  for (const row of rows) lines.push(`  ${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]!.padStart(widths[2]!)}  ${row[3]!.padStart(widths[3]!)}`);
  lines.push(`  total: ${usd(estimate.totalUsd)} per month`);
  lines.push(`  for comparison: one Route 53 ARC cluster is ${usd(estimate.arcClusterUsd)} per month ($2.50/hour), before the detection you would still have to build`);
  return lines.join('\n');
}

/**
 * @example runCost('arbiter.config.yml', processIo) // prints the breakdown, returns 0
 */
export function runCost(configFile: string, io: CommandIo, output: 'table' | 'json' = 'table'): number {
  const loaded = loadConfigFile(configFile);
  if (!loaded.ok) {
    if (output === 'json') io.out(JSON.stringify({ error: `${configFile} is not valid`, problems: loaded.errors }, null, 2));
    io.err(`${configFile} is not valid:\n${formatProblems(loaded.errors)}`);
    return exitCodes.usage;
  }
  const estimate = estimateMonthlyCost(loaded.config);
  io.out(output === 'json' ? JSON.stringify(estimate, null, 2) : formatCostEstimate(estimate));
  return exitCodes.ok;
}
