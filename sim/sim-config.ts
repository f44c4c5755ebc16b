/** The simulator's default world: three observers protecting three targets, the shipped defaults. */
import { validateConfig, type ValidConfig } from '../shared/domain';
import type { Scenario } from './scenario';

export const simRegions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;

/** The default config with the scenario's probe/safety overrides merged in; throws naming every problem. */
export function simConfig(scenario: Pick<Scenario, 'config' | 'name'>): ValidConfig {
  const input = {
    version: 1,
    name: 'sim',
    observers: [...simRegions],
    targets: simRegions.map((region) => ({
      region,
      endpoints: [{ url: `https://${region}.api.example.com/health`, bodyContains: '"status":"ok"', latencyMsMax: 500, timeoutMs: 2000 }],
      route53: { hostedZoneId: 'ZSIMULATED', recordName: 'api.example.com', recordType: 'A', setIdentifier: region, weight: 100 },
    })),
    probe: { ...(scenario.config.probe ?? {}) },
    safety: { ...(scenario.config.safety ?? {}) },
  };
  const result = validateConfig(input);
  if (!result.ok) throw new Error(`scenario ${scenario.name}: config is not valid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return result.config;
}
