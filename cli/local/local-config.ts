/**
 * The local run's configuration: the example config (or --config) with its endpoints pointed at
 * the sample apps and its timings shortened, so a failover takes seconds instead of minutes.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { validateConfig, type ValidConfig } from '../../shared/domain';
import { formatProblems } from '../../shared/adapters/config/config-file';

/** Timings for the local run: a target drains about 3 s after it breaks and comes back about 6 s after it heals. */
export const localTimings = {
  probe: {
    intervalMs: 1_000, failureThreshold: 2, failureMinDurationMs: 2_000, recoveryThreshold: 2, confirmCount: 1, confirmSpacingMs: 200,
    latencyWindowSize: 3, latencyQuantile: 0.5, verdictFreshnessMs: 8_000, verdictRefreshMs: 3_000,
  },
  safety: { flipCooldownMs: 3_000, recoveryHoldMs: 3_000 },
  endpoint: { timeoutMs: 900, latencyMsMax: 300 },
} as const;

type Json = Record<string, unknown>;

function withoutVote(route53: Json | undefined): Json {
  const { vote: _vote, ...rest } = route53 ?? {};
  return rest;
}

/**
 * Builds the local config from a YAML file's text and the sample apps' URLs (one per target region).
 * Throws one error listing every problem when the result is not a valid config.
 * @example localConfig(readFileSync('arbiter.config.yml', 'utf8'), { 'us-east-1': 'http://127.0.0.1:4001/health', … })
 */
export function localConfig(yamlText: string, sampleUrls: Record<string, string>): ValidConfig {
  const input = parse(yamlText) as Json;
  const targets = (input.targets as Json[] | undefined) ?? [];
  const missing = targets.map((t) => String(t.region)).filter((region) => sampleUrls[region] === undefined);
  if (missing.length > 0) throw new Error(`no sample app for target ${missing.join(', ')}`);
  const local: Json = {
    ...input,
    name: `${String(input.name ?? 'arbiter')}-local`,
    targets: targets.map((t) => ({
      ...t,
      endpoints: [{ url: sampleUrls[String(t.region)], method: 'GET', bodyContains: '"status":"ok"', ...localTimings.endpoint }],
      // No health checkers run locally: the stand-in Route 53 shows every decision as a weight.
      route53: { ...withoutVote(t.route53 as Json | undefined), mode: 'weight' },
    })),
    probe: { ...(input.probe as Json | undefined), ...localTimings.probe },
    safety: { ...(input.safety as Json | undefined), ...localTimings.safety },
    // CloudWatch alarms do not exist locally; the dashboard breaks regions directly.
    alarms: [],
    overrides: { ...(input.overrides as Json | undefined), operators: undefined },
  };
  const result = validateConfig(local);
  if (!result.ok) throw new Error(`the local config derived from the example is invalid:\n${formatProblems(result.errors)}`);
  return result.config;
}

/** Reads the YAML file the local config is derived from. */
export function readConfigText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (pass --config <file>)`);
  }
}

/** The target regions named in a config's YAML text (one sample app each); empty when there are none. */
export function targetRegionsOf(yamlText: string): string[] {
  const input = parse(yamlText) as Json | null;
  const targets = Array.isArray(input?.targets) ? (input.targets as Json[]) : [];
  return targets.map((t) => String(t.region)).filter((r) => /^[a-z0-9-]{1,32}$/.test(r));
}
