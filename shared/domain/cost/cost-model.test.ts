import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validateConfig, type ValidConfig } from '../config';
import { estimateMonthlyCost, minutesPerMonth, scheduleRunsPerMonth, type CostLine } from './cost-model';
import { functionSizing } from './function-sizing';
import * as price from './unit-prices';

const target = (region: string, route53: Record<string, unknown> = {}) => ({
  region,
  endpoints: [{ url: `https://${region}.example.com/health` }],
  route53: { hostedZoneId: 'Z0COSTTEST', recordName: 'api.example.com', recordType: 'A', setIdentifier: region, weight: 100, ...route53 },
});

function config(observers: string[], extra: Record<string, unknown> = {}): ValidConfig {
  const result = validateConfig({ version: 1, name: 'cost', observers, targets: observers.map((r) => target(r)), ...extra });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}
const line = (lines: CostLine[], item: string) => lines.find((l) => l.item.startsWith(item))!;

describe('estimateMonthlyCost', () => {
  it('prices the probe loop as one invocation a minute per region, busy for one schedule period of rounds', () => {
    const estimate = estimateMonthlyCost(config(['us-east-1', 'eu-west-1', 'ap-southeast-2']), { probeRoundMs: 500, probeFlushMs: 500 });
    const requests = line(estimate.lines, 'probe requests');
    expect(requests.quantity).toBe(3 * minutesPerMonth);
    // 2 s interval: 30 rounds, 29 sleeps of 2 s + 1 s of round and flush = 59 s at 0.25 GB.
    const compute = line(estimate.lines, 'probe compute');
    expect(compute.quantity).toBeCloseTo(3 * minutesPerMonth * 59 * (functionSizing.probe.memoryMb / 1024), 3);
    expect(compute.monthlyUsd).toBeCloseTo(compute.quantity * price.lambdaArmGbSecondUsd, 6);
  });

  it('charges replicated writes to every other region, so they grow with the number of observers', () => {
    const three = estimateMonthlyCost(config(['us-east-1', 'eu-west-1', 'ap-southeast-2']));
    const five = estimateMonthlyCost(config(['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2', 'eu-central-1']));
    const writes3 = line(three.lines, 'writes').quantity;
    expect(line(three.lines, 'replicated writes').quantity).toBe(writes3 * 2);
    expect(line(five.lines, 'replicated writes').quantity).toBe(line(five.lines, 'writes').quantity * 4);
    expect(line(three.lines, 'cross-region deliveries').quantity).toBe(line(three.lines, 'Arbiter events published').quantity * 2);
    expect(five.totalUsd).toBeGreaterThan(three.totalUsd);
  });

  it('costs less when probing less often', () => {
    const often = estimateMonthlyCost(config(['us-east-1', 'eu-west-1', 'ap-southeast-2'], { probe: { intervalMs: 5000 } }));
    const rarely = estimateMonthlyCost(config(['us-east-1', 'eu-west-1', 'ap-southeast-2'], { probe: { intervalMs: 30000, verdictRefreshMs: 30000 } }));
    expect(line(rarely.lines, 'probe compute').monthlyUsd).toBeLessThan(line(often.lines, 'probe compute').monthlyUsd);
  });

  it('adds Route 53 health checks and gate traffic only for health-check targets, gate votes costing HTTPS and the fast interval', () => {
    const observers = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
    expect(estimateMonthlyCost(config(observers)).lines.some((l) => l.service === 'Route 53')).toBe(false);
    const gated = validateConfig({ version: 1, name: 'cost', observers, targets: [target('us-east-1', { mode: 'health-check' }), target('eu-west-1')] });
    if (!gated.ok) throw new Error(JSON.stringify(gated.errors));
    const lines = estimateMonthlyCost(gated.config).lines;
    const checks = line(lines, 'health checks');
    expect(checks.quantity).toBe(1 + 3);
    // Standard interval (the default): the gate child pays HTTPS only.
    expect(checks.monthlyUsd).toBeCloseTo(price.route53HealthCheckAwsEndpointMonthUsd + 3 * (price.route53HealthCheckAwsEndpointMonthUsd + price.route53HealthCheckOptionalFeatureMonthUsd), 2);
    const standard = line(lines, 'gate answers');
    expect(standard.monthlyUsd).toBeGreaterThan(0);
    const fast = validateConfig({ version: 1, name: 'cost', observers, targets: [target('us-east-1', { mode: 'health-check' }), target('eu-west-1')], dataPlane: { checkIntervalSeconds: 10 } });
    if (!fast.ok) throw new Error(JSON.stringify(fast.errors));
    const fastLines = estimateMonthlyCost(fast.config).lines;
    expect(line(fastLines, 'health checks').monthlyUsd).toBeCloseTo(price.route53HealthCheckAwsEndpointMonthUsd + 3 * (price.route53HealthCheckAwsEndpointMonthUsd + 2 * price.route53HealthCheckOptionalFeatureMonthUsd), 2);
    expect(line(fastLines, 'gate answers').quantity).toBe(3 * standard.quantity);
  });

  it('keeps the example config (3 observers × 3 targets, gate votes, the default mode) at or under $45 a month', () => {
    const loaded = validateConfig(parse(readFileSync(join(__dirname, '..', '..', '..', 'arbiter.config.yml'), 'utf8')));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(loaded.config.targets.every((t) => t.route53.mode === 'health-check')).toBe(true);
    expect(estimateMonthlyCost(loaded.config).totalUsd).toBeLessThanOrEqual(45);
  });

  it('sums its lines into the total and compares with an ARC cluster at $2.50 an hour', () => {
    const estimate = estimateMonthlyCost(config(['us-east-1', 'eu-west-1', 'ap-southeast-2']));
    expect(estimate.totalUsd).toBeCloseTo(estimate.lines.reduce((s, l) => s + l.monthlyUsd, 0), 9);
    expect(estimate.arcClusterUsd).toBe(1825);
    expect(estimate.lines.every((l) => Number.isFinite(l.monthlyUsd) && l.monthlyUsd >= 0)).toBe(true);
    expect(estimate.pricesReadOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('scheduleRunsPerMonth', () => {
  it('counts rate and cron schedules', () => {
    expect(scheduleRunsPerMonth('rate(1 hour)')).toBe(730);
    expect(scheduleRunsPerMonth('rate(30 minutes)')).toBe(1460);
    expect(scheduleRunsPerMonth('cron(0 10 ? * TUE *)')).toBeCloseTo(730 / 24 / 7, 6);
    expect(scheduleRunsPerMonth('cron(0 10 ? * MON-FRI *)')).toBeCloseTo((5 * 730) / 24 / 7, 6);
    expect(scheduleRunsPerMonth('cron(0 10 ? JAN-MAR 2 *)')).toBeCloseTo((730 / 24 / 7) * (3 / 12), 6);
    expect(scheduleRunsPerMonth('cron(0 3 1 * ? *)')).toBe(1);
    expect(scheduleRunsPerMonth('cron(0/15 * * * ? *)')).toBeCloseTo(4 * 24 * 730 / 24, 6);
  });

  it('rejects what it cannot price, naming the expression', () => {
    expect(() => scheduleRunsPerMonth('every tuesday')).toThrow('cannot price schedule "every tuesday"');
  });
});
