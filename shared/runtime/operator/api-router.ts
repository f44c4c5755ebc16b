/**
 * The operator API, independent of API Gateway: `handleApiRequest(deps, request)`.
 *
 *   GET    /status             routing state and why, per target
 *   GET    /overrides          active overrides          POST /overrides  (Idempotency-Key required)
 *   DELETE /overrides/{id}     end an override early (a new immutable item)
 *   GET    /drills             recent drills             POST /drills
 *   GET    /drills/{id}        one drill report
 *   GET    /audit              newest first, ?since=&limit=&cursor=
 *
 * 401 without a principal; 403 for writes when `overrides.operators` is set and the principal is
 * not on it; 400 lists every field's problem; 409 names the safety rule; 404 / 405 for unknown
 * routes and methods. Dependency failures become 503. No input is meant to produce a 500.
 */
import { activeOverrides } from '../../domain';
import { auditPageLimitMax, parseAuditQuery, parseDrillRequest, parseOverrideRequest, type RequestProblem } from '../../domain/operator/operator-requests';
import { ArbiterError, TransientError } from '../../ports';
import type { ApiRequest, ApiResponse, OperatorDeps } from './api-types';
import { createDrill } from './drill-runtime';
import { IdempotencyInProgressError, IdempotencyMismatchError, MemoryIdempotency, type IdempotencyGuard } from './idempotency';
import { createOverride, endOverride } from './override-service';
import { buildStatus } from './status';

/** Largest request body accepted. */
export const requestBodyBytesMax = 16 * 1024;
/** Drills listed by GET /drills. */
export const drillListMax = 50;
const idPattern = /^[A-Za-z0-9._:-]{1,128}$/;
const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

type Handler = (deps: OperatorDeps, request: ApiRequest, actor: string, id: string | undefined) => Promise<ApiResponse>;
interface Route { pattern: RegExp; methods: Record<string, { handler: Handler; write: boolean }> }

const json = (statusCode: number, body: unknown, headers?: Record<string, string>): ApiResponse => ({ statusCode, body, headers: { 'content-type': 'application/json', ...headers } });
const problem = (statusCode: number, error: string, problems?: RequestProblem[]): ApiResponse => json(statusCode, problems === undefined ? { error } : { error, problems });

/** A non-2xx outcome raised inside idempotent work, so it is returned but not remembered. */
class Outcome extends Error {
  constructor(readonly response: ApiResponse) {
    super('not remembered');
  }
}

function parseBody(request: ApiRequest): { ok: true; value: unknown } | { ok: false; response: ApiResponse } {
  if (request.body === null || request.body.trim() === '') return { ok: false, response: problem(400, 'a JSON body is required', [{ path: '(body)', message: 'is missing' }]) };
  if (request.body.length > requestBodyBytesMax) return { ok: false, response: problem(413, `body is larger than ${requestBodyBytesMax} bytes`) };
  try {
    return { ok: true, value: JSON.parse(request.body) };
  } catch (error) {
    return { ok: false, response: problem(400, 'body is not valid JSON', [{ path: '(body)', message: (error as Error).message }]) };
  }
}

const memoryGuards = new WeakMap<OperatorDeps, IdempotencyGuard>();
function guardOf(deps: OperatorDeps): IdempotencyGuard {
  if (deps.idempotency !== undefined) return deps.idempotency;
  let guard = memoryGuards.get(deps);
  if (guard === undefined) memoryGuards.set(deps, (guard = new MemoryIdempotency(deps.clock)));
  return guard;
}

const postOverride: Handler = async (deps, request, actor) => {
  const key = request.headers['idempotency-key'];
  const body = parseBody(request);
  const problems: RequestProblem[] = [];
  if (key === undefined || !idempotencyKeyPattern.test(key)) problems.push({ path: 'Idempotency-Key', message: key === undefined ? 'header is required (any unique string, reused on retries)' : 'header must be 1-255 visible ASCII characters' });
  if (!body.ok && problems.length === 0) return body.response;
  const parsed = body.ok ? parseOverrideRequest(body.value, deps.config) : null;
  if (!body.ok) problems.push({ path: '(body)', message: (body.response.body as { error: string }).error });
  if (parsed !== null && !parsed.ok) problems.push(...parsed.problems);
  if (problems.length > 0 || parsed === null || !parsed.ok) return problem(400, 'invalid override request', problems);
  try {
    return await guardOf(deps).run(`overrides#${actor}#${key}`, { ...parsed.value }, async () => {
      const outcome = await createOverride(deps, { ...parsed.value, actor, source: 'api' });
      if (outcome.kind === 'refused') throw new Outcome(json(409, { error: `refused by safety rule ${outcome.refusal.message}`, rule: outcome.refusal.rule, message: outcome.refusal.message, hint: 'pass "force": true to override the rule (audited as override-forced)' }));
      return json(201, { override: outcome.override, warnings: outcome.warnings });
    });
  } catch (error) {
    if (error instanceof IdempotencyMismatchError) return problem(422, `Idempotency-Key ${key} was already used with a different request`);
    if (error instanceof IdempotencyInProgressError) return problem(409, `a request with Idempotency-Key ${key} is still in progress`);
    throw error;
  }
};

const deleteOverride: Handler = async (deps, request, actor, id) => {
  const reason = request.query.reason?.slice(0, 500) ?? 'ended by operator';
  const outcome = await endOverride(deps, id!, { actor, reason });
  if (outcome.kind === 'not-found') return problem(404, `no active override ${id}`);
  if (outcome.kind === 'already-ended') return json(200, { end: outcome.end, override: outcome.override, alreadyEnded: true });
  return json(200, { end: outcome.end, override: outcome.override, warnings: outcome.warnings });
};

const postDrill: Handler = async (deps, request, actor) => {
  const body = parseBody(request);
  if (!body.ok) return body.response;
  const parsed = parseDrillRequest(body.value, deps.config);
  if (!parsed.ok) return problem(400, 'invalid drill request', parsed.problems);
  const drill = await createDrill(deps, { ...parsed.value, startedBy: actor });
  if (drill.status === 'refused') return json(409, { error: `drill refused: ${drill.problems.join('; ')}`, drill });
  if (deps.launchDrill === undefined) return json(202, { drill, launched: false, warning: 'no drill launcher is configured here: the drill is stored but not run' });
  await deps.launchDrill(drill.id);
  return json(202, { drill, launched: true });
};

const routes: Route[] = [
  { pattern: /^\/status$/, methods: { GET: { write: false, handler: async (deps) => json(200, await buildStatus(deps)) } } },
  {
    pattern: /^\/overrides$/,
    methods: {
      GET: { write: false, handler: async (deps) => { const nowMs = deps.clock.nowMs(); const view = await deps.store.readView(nowMs); return json(200, { overrides: activeOverrides(view.overrides, view.overrideEnds, nowMs) }); } },
      POST: { write: true, handler: postOverride },
    },
  },
  { pattern: /^\/overrides\/([^/]+)$/, methods: { DELETE: { write: true, handler: deleteOverride } } },
  {
    pattern: /^\/drills$/,
    methods: { GET: { write: false, handler: async (deps) => json(200, { drills: await deps.store.listDrills(drillListMax) }) }, POST: { write: true, handler: postDrill } },
  },
  {
    pattern: /^\/drills\/([^/]+)$/,
    methods: { GET: { write: false, handler: async (deps, _r, _a, id) => { const drill = await deps.store.getDrill(id!); return drill === null ? problem(404, `no drill ${id}`) : json(200, { drill }); } } },
  },
  {
    pattern: /^\/audit$/,
    methods: {
      GET: {
        write: false,
        handler: async (deps, request) => {
          const query = parseAuditQuery(request.query);
          if (!query.ok) return problem(400, 'invalid audit query', query.problems);
          try {
            return json(200, await deps.store.listAudit({ ...query.value, limit: Math.min(query.value.limit, auditPageLimitMax) }));
          } catch (error) {
            // A cursor is opaque to the router: when the store rejects one, it was not a cursor it gave out.
            if (query.value.cursor === undefined || !(error instanceof ArbiterError) || error instanceof TransientError) throw error;
            return problem(400, 'invalid audit query', [{ path: 'cursor', message: 'must be a cursor returned by a previous page' }]);
          }
        },
      },
    },
  },
];

/**
 * True when the principal may write: no allow-list, an exact entry, or an entry ending in `*` that
 * prefixes it. An assumed-role session (`arn:aws:sts::1:assumed-role/Ops/alice`) also matches as
 * its role (`arn:aws:iam::1:role/Ops`).
 * @example isOperator(['arn:aws:iam::1:role/Ops'], 'arn:aws:sts::1:assumed-role/Ops/alice') // → true
 */
export function isOperator(operators: readonly string[] | undefined, principal: string): boolean {
  if (operators === undefined) return true;
  const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principal);
  const names = session === null ? [principal] : [principal, `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`];
  return operators.some((entry) => names.some((name) => (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : entry === name)));
}

function dependencyFailure(deps: OperatorDeps, request: ApiRequest, error: unknown): ApiResponse {
  // Every ArbiterError (TransientError, DnsError, PublishError, …) is a dependency that failed after its bounded retries.
  const transient = error instanceof ArbiterError;
  deps.telemetry.error('operator API request failed', { requestId: request.requestId, path: request.path, message: (error as Error)?.message });
  if (transient) return problem(503, `a dependency failed, retry later: ${(error as Error).message}`);
  return problem(500, `internal error (request ${request.requestId})`);
}

/**
 * Routes one API request. Never throws.
 * @example await handleApiRequest(deps, { method: 'GET', path: '/status', headers: {}, query: {}, body: null, principal: 'local:me', requestId: 'r1' })
 */
export async function handleApiRequest(deps: OperatorDeps, request: ApiRequest): Promise<ApiResponse> {
  const path = request.path.length > 1 ? request.path.replace(/\/+$/, '') : request.path;
  const route = routes.find((r) => r.pattern.test(path));
  if (route === undefined) return problem(404, `no route ${path.slice(0, 200)}`);
  const method = request.method.toUpperCase();
  const entry = route.methods[method];
  if (entry === undefined) return json(405, { error: `method ${method.slice(0, 20)} not allowed on ${path}` }, { allow: Object.keys(route.methods).join(', ') });
  const principal = request.principal?.trim() ?? '';
  if (principal === '') return problem(401, 'no caller identity: sign the request with IAM credentials (SigV4)');
  if (entry.write && !isOperator(deps.config.overrides.operators, principal)) return problem(403, `${principal} is not on overrides.operators`);
  const id = route.pattern.exec(path)?.[1];
  if (id !== undefined && !idPattern.test(id)) return problem(404, `no such id ${id.slice(0, 130)}`);
  try {
    return await entry.handler(deps, request, principal, id);
  } catch (error) {
    if (error instanceof Outcome) return error.response;
    return dependencyFailure(deps, request, error);
  }
}
