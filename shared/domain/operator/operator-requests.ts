/**
 * Operator API request bodies: shape and meaning checked together, every problem at once, each
 * with the field it concerns. Pure (zod only), so the router in shared/runtime stays free of
 * parsing libraries and the simulator can reuse the same rules.
 */
import { z } from 'zod';
import type { ValidConfig } from '../config';
import { formatPath } from '../config/validate';

export interface RequestProblem {
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: RequestProblem[] };

/** Longest reason kept on an override (it travels in every event and audit entry). */
export const overrideReasonLengthMax = 500;
/** Audit pages are bounded: the store caps them again. */
export const auditPageLimitMax = 100;
export const auditPageLimitDefault = 50;

export interface OverrideRequest {
  target: string;
  action: 'drain' | 'serve';
  ttlSeconds: number;
  reason: string;
  force: boolean;
}

export interface DrillRequest {
  target: string;
  mode: 'shadow' | 'evacuate';
  holdSeconds: number;
}

export interface AuditQuery {
  sinceMs?: number;
  limit: number;
  cursor?: string;
}

function problemsOf(error: z.ZodError): RequestProblem[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return { path: formatPath(issue.path) || '(body)', message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
    return { path: formatPath(issue.path) || '(body)', message: issue.message };
  });
}

function targetField(config: ValidConfig) {
  const known = config.targets.map((t) => t.region);
  return z.string({ error: 'is required (a configured target region)' }).refine((t) => known.includes(t), { message: `must be one of the configured targets: ${known.join(', ')}` });
}

/**
 * Parses a POST /overrides body against the config (known target, TTL within `overrides.ttlSecondsMax`).
 * @example parseOverrideRequest({ target: 'eu-west-1', action: 'drain', ttlSeconds: 600, reason: 'db failover' }, config)
 */
export function parseOverrideRequest(value: unknown, config: ValidConfig): Parsed<OverrideRequest> {
  const max = config.overrides.ttlSecondsMax;
  const schema = z.strictObject({
    target: targetField(config),
    action: z.enum(['drain', 'serve'], { error: 'must be "drain" or "serve"' }),
    ttlSeconds: z.number({ error: 'is required (a whole number of seconds)' }).int('must be a whole number of seconds').min(1, 'must be at least 1').max(max, `must be at most overrides.ttlSecondsMax (${max})`),
    reason: z.string({ error: 'is required (say why, for the audit log)' }).trim().min(1, 'must not be empty').max(overrideReasonLengthMax, `must be at most ${overrideReasonLengthMax} characters`),
    force: z.boolean({ error: 'must be true or false' }).default(false),
  }, { error: 'must be a JSON object' });
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: problemsOf(parsed.error) };
}

/**
 * Parses a POST /drills body (hold time bounded as in the config's drill schedules: 30..3600 s).
 * @example parseDrillRequest({ target: 'eu-west-1', mode: 'shadow', holdSeconds: 60 }, config)
 */
export function parseDrillRequest(value: unknown, config: ValidConfig): Parsed<DrillRequest> {
  const schema = z.strictObject({
    target: targetField(config),
    mode: z.enum(['shadow', 'evacuate'], { error: 'must be "shadow" or "evacuate"' }),
    holdSeconds: z.number({ error: 'must be a whole number of seconds' }).int('must be a whole number of seconds').min(30, 'must be at least 30').max(3600, 'must be at most 3600').default(300),
  }, { error: 'must be a JSON object' });
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: problemsOf(parsed.error) };
}

/**
 * Parses GET /audit query parameters: `since` (epoch ms or ISO 8601), `limit` (1..100), `cursor`.
 * @example parseAuditQuery({ since: '2026-11-01T00:00:00Z', limit: '20' })
 */
export function parseAuditQuery(query: Record<string, string | undefined>): Parsed<AuditQuery> {
  const problems: RequestProblem[] = [];
  const known = new Set(['since', 'limit', 'cursor']);
  for (const key of Object.keys(query)) if (!known.has(key)) problems.push({ path: key, message: 'unknown query parameter (use since, limit, cursor)' });
  let sinceMs: number | undefined;
  if (query.since !== undefined) {
    const asNumber = /^\d{1,15}$/.test(query.since) ? Number(query.since) : Date.parse(query.since);
    if (Number.isFinite(asNumber) && asNumber >= 0) sinceMs = asNumber;
    else problems.push({ path: 'since', message: 'must be epoch milliseconds or an ISO 8601 time' });
  }
  let limit = auditPageLimitDefault;
  if (query.limit !== undefined) {
    limit = /^\d{1,4}$/.test(query.limit) ? Number(query.limit) : Number.NaN;
    if (!(limit >= 1 && limit <= auditPageLimitMax)) problems.push({ path: 'limit', message: `must be a whole number from 1 to ${auditPageLimitMax}` });
  }
  const cursor = query.cursor;
  if (cursor !== undefined && (cursor.length === 0 || cursor.length > 512)) problems.push({ path: 'cursor', message: 'must be a cursor returned by a previous page' });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { limit, ...(sinceMs !== undefined ? { sinceMs } : {}), ...(cursor !== undefined ? { cursor } : {}) } };
}
