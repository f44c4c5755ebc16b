/**
 * Data-plane mode in the simulator, in its older result shape: `runSimulation` runs every mode
 * (sim/dataplane/health-checks.ts holds Route 53's health checkers); this wraps one run of a
 * scenario in `gate` mode for the data-plane bench and tests, optionally with another
 * `dataPlane` config (the check interval) or a flood on the gates.
 *
 * Detection is the CALCULATED check turning unhealthy; DNS answers follow the health status at
 * once (no change batch), so RTO = detect + record TTL, as for the plain health-check baseline.
 */
import type { Region, ValidConfig } from '../../shared/domain';
import type { Scenario } from '../scenario';
import { baselineDefaults } from '../baseline';
import { runSimulation, violationsOf } from '../simulation';
import type { GateFlood } from './health-checks';

export { dataPlaneConfig, gateCheckIntervalMs, type GateFlood } from './health-checks';

export interface DataPlaneMetrics {
  detectMs: number | null;
  rtoMs: number | null;
  falseFailovers: number;
  flipsMax: number;
}

export interface DataPlaneResult {
  scenario: string;
  seed: number;
  metrics: DataPlaneMetrics;
  /** CALCULATED check transitions per target. */
  transitions: Array<{ target: Region; atMs: number; healthy: boolean }>;
  /** Route 53 control-plane calls the run made (must be 0: data-plane mode never calls it). */
  controlPlaneCalls: number;
  /** Broken invariants (the checker's, on the served health-check states); empty when the run is valid. */
  problems: string[];
}

export interface DataPlaneOptions {
  flood?: GateFlood;
  /** How Route 53 reads gate votes (the config's `dataPlane`), merged over the scenario's; absent: its defaults. */
  dataPlane?: Partial<ValidConfig['dataPlane']>;
}

/**
 * Runs one scenario from one seed in data-plane mode.
 * @example const result = await runDataPlaneSimulation(loadScenario('failover-route53-outage-10min'), 7, { dataPlane: { checkIntervalSeconds: 10 } });
 */
export async function runDataPlaneSimulation(scenario: Scenario, seed: number, options: DataPlaneOptions = {}): Promise<DataPlaneResult> {
  const config = options.dataPlane === undefined ? scenario.config : { ...scenario.config, dataPlane: { ...scenario.config.dataPlane, ...options.dataPlane } };
  const result = await runSimulation({ ...scenario, mode: 'gate', config }, seed, baselineDefaults, options.flood === undefined ? {} : { flood: options.flood });
  const transitions = result.history.flatMap((e) => (e.kind === 'health-check' ? [{ target: e.target, atMs: e.atMs, healthy: e.healthy }] : []));
  const controlPlaneCalls = result.history.filter((e) => e.kind === 'dns-change' || e.kind === 'dns-error' || e.kind === 'route53-call').length;
  const problems = violationsOf(result.check).map((v) => `${v.invariant}${v.target ? ` ${v.target}` : ''} at ${v.atMs} ms: ${v.detail}`);
  if (controlPlaneCalls > 0) problems.push(`control plane: ${controlPlaneCalls} Route 53 API entries in data-plane mode`);
  const { detectMs, rtoMs, falseFailovers, flipsMax } = result.arbiter;
  return { scenario: scenario.name, seed, metrics: { detectMs, rtoMs, falseFailovers, flipsMax }, transitions, controlPlaneCalls, problems };
}
