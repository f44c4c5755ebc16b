/** Shared test fixtures: a valid three-region config and helpers to vary it. */
import { validateConfig, type ArbiterConfigInput, type ValidConfig } from '../../shared/domain';

export const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;

export function configInput(overrides: Partial<ArbiterConfigInput> = {}): ArbiterConfigInput {
  return {
    version: 1,
    name: 'shop',
    observers: [...regions],
    targets: regions.map((region) => ({
      region,
      endpoints: [{ url: `https://${region}.api.example.com/health`, latencyMsMax: 500, timeoutMs: 2000 }],
      route53: { hostedZoneId: 'Z0123456789EXAMPLE', recordName: 'api.example.com', recordType: 'A' as const, setIdentifier: region, weight: 100 },
    })),
    ...overrides,
  };
}

/** A validated config; throws with every problem if the input is invalid. */
export function makeConfig(overrides: Partial<ArbiterConfigInput> = {}): ValidConfig {
  return makeConfigFrom(configInput(overrides));
}

function makeConfigFrom(input: ArbiterConfigInput): ValidConfig {
  const result = validateConfig(input);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return result.config;
}

/** The fixture config with every target in health-check mode, voting by gate. */
export function makeDataPlaneConfig(): ValidConfig {
  const input = configInput();
  for (const target of input.targets) target.route53 = { ...target.route53, mode: 'health-check', vote: 'gate' };
  return makeConfigFrom(input);
}
