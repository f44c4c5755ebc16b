/**
 * The simulator's config: the scenario's observers protecting its targets (default three regions
 * each), the shipped defaults, the scenario's probe/safety/alarms/overrides/dataPlane merged in, and in a
 * data-plane mode (`gate`) every target in health-check mode voting through it.
 */
import { validateConfig, type ValidConfig } from '../shared/domain';
import { defaultRegions, scenarioObservers, scenarioTargets, type Scenario } from './scenario';

export const simRegions = defaultRegions;

type ConfigSource = Pick<Scenario, 'config' | 'name'> & { world?: { observers?: string[] | undefined; targets?: string[] | undefined }; mode?: Scenario['mode'] };

/** The config a scenario runs under; throws naming every problem. */
export function simConfig(scenario: ConfigSource): ValidConfig {
  const observers = scenarioObservers(scenario);
  const mode = scenario.mode ?? 'control-plane';
  const dataPlane = mode === 'control-plane' ? {} : { mode: 'health-check' as const, vote: mode };
  const input = {
    version: 1,
    name: 'sim',
    observers,
    ...(observers.length === 2 ? { acknowledgeTwoObserverUnanimity: true } : {}),
    targets: scenarioTargets(scenario).map((region) => ({
      region,
      endpoints: [{ url: `https://${region}.api.example.com/health`, bodyContains: '"status":"ok"', latencyMsMax: 500, timeoutMs: 2000 }],
      route53: { hostedZoneId: 'ZSIMULATED', recordName: 'api.example.com', recordType: 'A', setIdentifier: region, weight: 100, ...dataPlane },
    })),
    probe: { ...(scenario.config.probe ?? {}) },
    safety: { ...(scenario.config.safety ?? {}) },
    ...(scenario.config.alarms === undefined ? {} : { alarms: scenario.config.alarms }),
    ...(scenario.config.overrides === undefined ? {} : { overrides: scenario.config.overrides }),
    ...(scenario.config.dataPlane === undefined ? {} : { dataPlane: scenario.config.dataPlane }),
  };
  const result = validateConfig(input);
  if (!result.ok) throw new Error(`scenario ${scenario.name}: config is not valid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return result.config;
}
