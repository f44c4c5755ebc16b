import fc from 'fast-check';
import type { AppliedDecision } from '../../domain';
import { configInput } from '../../../test/support/fixtures';
import { operatorWorld, type OperatorWorld } from '../../../test/support/operator-world';
import { handleApiRequest } from './api-router';
import type { ApiRequest } from './api-types';

const operator = 'arn:aws:iam::123456789012:user/ops';

function request(partial: Partial<ApiRequest>): ApiRequest {
  return { method: 'GET', path: '/status', headers: {}, query: {}, body: null, principal: operator, requestId: 'req-1', ...partial };
}

function postOverride(body: unknown, key: string | null = 'key-1', principal: string | null = operator): ApiRequest {
  return request({ method: 'POST', path: '/overrides', headers: key === null ? {} : { 'idempotency-key': key }, body: typeof body === 'string' ? body : JSON.stringify(body), principal });
}

/** Marks targets drained as if a decision had been applied. */
async function drainedByDecision(w: OperatorWorld, drained: string[]): Promise<void> {
  const routing = Object.fromEntries(w.config.targets.map((t) => [t.region, drained.includes(t.region) ? 'drained' : 'serving'])) as AppliedDecision['routing'];
  const nowMs = w.clock.nowMs();
  await w.store.putApplied({ observer: 'us-east-1', decisionId: 'd-test', decidedMs: nowMs, appliedMs: nowMs, routing, changeId: 'C1', lastFlipMs: {} });
}

const drainEu = { target: 'eu-west-1', action: 'drain', ttlSeconds: 600, reason: 'database failover' };

describe('operator API router', () => {
  it('refuses a request without a principal with 401 and a non-operator write with 403', async () => {
    const w = operatorWorld({ overrides: { ttlSecondsMax: 3600, operators: ['arn:aws:iam::123456789012:role/oncall*'] } });
    expect((await handleApiRequest(w.deps, request({ principal: null }))).statusCode).toBe(401);
    const refused = await handleApiRequest(w.deps, postOverride(drainEu));
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toEqual({ error: `${operator} is not on overrides.operators` });
    expect(w.store.overrides.size).toBe(0);
    expect((await handleApiRequest(w.deps, request({ path: '/status' }))).statusCode).toBe(200);
    const allowed = await handleApiRequest(w.deps, postOverride(drainEu, 'k', 'arn:aws:sts::123456789012:assumed-role/oncall-admin/alice'));
    expect(allowed.statusCode).toBe(201);
    expect((allowed.body as { override: { actor: string } }).override.actor).toBe('arn:aws:sts::123456789012:assumed-role/oncall-admin/alice');
  });

  it('lists every field problem with 400 and writes nothing', async () => {
    const w = operatorWorld({ overrides: { ttlSecondsMax: 3600 } });
    const response = await handleApiRequest(w.deps, postOverride({ target: 'mars-1', action: 'drain', ttlSeconds: 7200, colour: 'red' }));
    expect(response.statusCode).toBe(400);
    const problems = (response.body as { problems: Array<{ path: string; message: string }> }).problems;
    expect(problems).toEqual(expect.arrayContaining([
      { path: 'target', message: 'must be one of the configured targets: us-east-1, eu-west-1, ap-southeast-2' },
      { path: 'ttlSeconds', message: 'must be at most overrides.ttlSecondsMax (3600)' },
      { path: 'reason', message: 'is required (say why, for the audit log)' },
      { path: '(body)', message: 'unknown field "colour"' },
    ]));
    expect(w.store.overrides.size).toBe(0);
    expect(w.store.audit.size).toBe(0);
  });

  it('answers malformed JSON and a missing Idempotency-Key with 400 naming the problem', async () => {
    const w = operatorWorld();
    const malformed = await handleApiRequest(w.deps, postOverride('{"target": '));
    expect(malformed.statusCode).toBe(400);
    expect((malformed.body as { error: string }).error).toBe('body is not valid JSON');
    const keyless = await handleApiRequest(w.deps, postOverride(drainEu, null));
    expect(keyless.statusCode).toBe(400);
    expect((keyless.body as { problems: unknown[] }).problems).toEqual([{ path: 'Idempotency-Key', message: 'header is required (any unique string, reused on retries)' }]);
  });

  it('refuses a drain that would break minServing with 409 naming the rule and the numbers', async () => {
    const w = operatorWorld({ safety: { minServing: 1, maxDrained: 2 } });
    await drainedByDecision(w, ['us-east-1', 'ap-southeast-2']);
    const response = await handleApiRequest(w.deps, postOverride(drainEu));
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatchObject({ rule: 'minServing', message: 'minServing 1: draining eu-west-1 would leave 0 serving' });
    expect(w.store.overrides.size).toBe(0);
    const audit = [...w.store.audit.values()];
    expect(audit).toEqual([expect.objectContaining({ kind: 'refusal', actor: operator, details: expect.objectContaining({ rule: 'minServing' }) })]);
  });

  it('refuses a drain past maxDrained with 409, and lets force through, audited as override-forced', async () => {
    const w = operatorWorld();
    await drainedByDecision(w, ['us-east-1']);
    const refused = await handleApiRequest(w.deps, postOverride(drainEu));
    expect(refused.statusCode).toBe(409);
    expect((refused.body as { message: string }).message).toBe('maxDrained 1: draining eu-west-1 would make 2 drained');
    const forced = await handleApiRequest(w.deps, postOverride({ ...drainEu, force: true }, 'key-2'));
    expect(forced.statusCode).toBe(201);
    expect((forced.body as { override: { force: boolean } }).override.force).toBe(true);
    const kinds = [...w.store.audit.values()].map((e) => e.kind);
    expect(kinds).toEqual(['refusal', 'override-forced']);
    expect([...w.store.audit.values()][1]!.summary).toMatch(/^FORCED drain of eu-west-1 past maxDrained 1/);
  });

  it('creates one override per Idempotency-Key and returns the same result on a retry', async () => {
    const w = operatorWorld();
    const first = await handleApiRequest(w.deps, postOverride(drainEu, 'retry-me'));
    w.clock.advance(1_000);
    const second = await handleApiRequest(w.deps, postOverride(drainEu, 'retry-me'));
    expect(first.statusCode).toBe(201);
    expect(second).toEqual(first);
    expect(w.store.overrides.size).toBe(1);
    expect(w.bus.published.filter((e) => e.type === 'override')).toHaveLength(1);
    const mismatch = await handleApiRequest(w.deps, postOverride({ ...drainEu, reason: 'something else' }, 'retry-me'));
    expect(mismatch.statusCode).toBe(422);
    expect(w.store.overrides.size).toBe(1);
  });

  it('does not remember a refusal: the same key succeeds once the rule no longer bites', async () => {
    const w = operatorWorld();
    await drainedByDecision(w, ['us-east-1']);
    expect((await handleApiRequest(w.deps, postOverride(drainEu, 'k'))).statusCode).toBe(409);
    w.clock.advance(1_000);
    await drainedByDecision(w, []);
    expect((await handleApiRequest(w.deps, postOverride(drainEu, 'k'))).statusCode).toBe(201);
  });

  it('ends an override with a new immutable item, audited and published, and lists only active ones', async () => {
    const w = operatorWorld();
    const created = await handleApiRequest(w.deps, postOverride(drainEu));
    const id = (created.body as { override: { id: string } }).override.id;
    const before = structuredClone(w.store.overrides.get(id));
    w.clock.advance(5_000);
    const ended = await handleApiRequest(w.deps, request({ method: 'DELETE', path: `/overrides/${id}`, query: { reason: 'done' } }));
    expect(ended.statusCode).toBe(200);
    expect(w.store.overrides.get(id)).toEqual(before);
    expect(w.store.overrideEnds.get(id)).toEqual({ overrideId: id, endedMs: w.clock.nowMs(), actor: operator, reason: 'done' });
    expect(w.bus.published.map((e) => e.type)).toEqual(['override', 'override-end']);
    expect([...w.store.audit.values()].map((e) => e.kind)).toEqual(['override-created', 'override-ended']);
    expect((await handleApiRequest(w.deps, request({ path: '/overrides' }))).body).toEqual({ overrides: [] });
    const again = await handleApiRequest(w.deps, request({ method: 'DELETE', path: `/overrides/${id}` }));
    expect(again.body).toMatchObject({ alreadyEnded: true });
    expect(w.store.audit.size).toBe(2);
  });

  it('answers a serve override (a pin) with a warning that automation is off for the target until it expires', async () => {
    const w = operatorWorld();
    const pinned = await handleApiRequest(w.deps, postOverride({ ...drainEu, action: 'serve' }, 'pin-1'));
    const body = pinned.body as { override: { id: string; expiresMs: number }; warnings: string[] };
    expect(pinned.statusCode).toBe(201);
    expect(body.warnings).toEqual([`automation is OFF for eu-west-1 until ${new Date(body.override.expiresMs).toISOString().replace(/\.\d{3}Z$/, 'Z')}: it stays serving even if it fails; end the pin early with DELETE /overrides/${body.override.id} (arbiter overrides end ${body.override.id})`]);
    const drained = await handleApiRequest(w.deps, postOverride(drainEu, 'drain-1'));
    expect((drained.body as { warnings: string[] }).warnings).toEqual([]);
  });

  it('answers 409 to a retry that arrives while the first request with its key is still running', async () => {
    const w = operatorWorld();
    const [a, b] = await Promise.all([handleApiRequest(w.deps, postOverride(drainEu, 'same')), handleApiRequest(w.deps, postOverride(drainEu, 'same'))]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expect(((a.statusCode === 409 ? a : b).body as { error: string }).error).toBe('a request with Idempotency-Key same is still in progress');
    expect(w.store.overrides.size).toBe(1);
  });

  it('starts drills through the launcher, and refuses an evacuate that may not start with 409', async () => {
    const w = operatorWorld();
    const launched: string[] = [];
    w.deps.launchDrill = async (id) => void launched.push(id);
    const started = await handleApiRequest(w.deps, request({ method: 'POST', path: '/drills', body: JSON.stringify({ target: 'eu-west-1', mode: 'shadow', holdSeconds: 60 }) }));
    expect(started.statusCode).toBe(202);
    expect(launched).toEqual([(started.body as { drill: { id: string } }).drill.id]);
    const invalid = await handleApiRequest(w.deps, request({ method: 'POST', path: '/drills', body: JSON.stringify({ target: 'mars-1', mode: 'chaos', holdSeconds: 5 }) }));
    expect((invalid.body as { problems: Array<{ path: string }> }).problems.map((p) => p.path)).toEqual(['target', 'mode', 'holdSeconds']);
    await drainedByDecision(w, ['us-east-1']);
    const refused = await handleApiRequest(w.deps, request({ method: 'POST', path: '/drills', body: JSON.stringify({ target: 'eu-west-1', mode: 'evacuate', holdSeconds: 60 }) }));
    expect(refused.statusCode).toBe(409);
    expect((refused.body as { error: string }).error).toBe('drill refused: otherDrained: another target is already drained: us-east-1');
    expect(launched).toHaveLength(1);
    const listed = await handleApiRequest(w.deps, request({ path: '/drills' }));
    expect((listed.body as { drills: Array<{ status: string }> }).drills.map((d) => d.status).sort()).toEqual(['refused', 'running']);
  });

  it('answers unknown routes and ids with 404 and wrong methods with 405 and Allow', async () => {
    const w = operatorWorld();
    expect((await handleApiRequest(w.deps, request({ path: '/nope' }))).statusCode).toBe(404);
    expect((await handleApiRequest(w.deps, request({ method: 'DELETE', path: '/overrides/ov-404' }))).statusCode).toBe(404);
    expect((await handleApiRequest(w.deps, request({ path: '/drills/drill-404' }))).statusCode).toBe(404);
    const wrong = await handleApiRequest(w.deps, request({ method: 'PUT', path: '/overrides' }));
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers?.allow).toBe('GET, POST');
  });

  it('pages the audit log newest first with a cursor, bounded by limit', async () => {
    const w = operatorWorld();
    for (let i = 0; i < 5; i += 1) {
      await handleApiRequest(w.deps, postOverride({ ...drainEu, target: 'eu-west-1', action: 'serve', reason: `r${i}` }, `k${i}`));
      w.clock.advance(1_000);
    }
    const first = await handleApiRequest(w.deps, request({ path: '/audit', query: { limit: '2' } }));
    const page1 = first.body as { entries: Array<{ atMs: number; summary: string }>; cursor: string };
    expect(page1.entries.map((e) => e.summary)).toEqual(['serve eu-west-1 for 600 s: r4', 'serve eu-west-1 for 600 s: r3']);
    const second = await handleApiRequest(w.deps, request({ path: '/audit', query: { limit: '2', cursor: page1.cursor } }));
    expect((second.body as typeof page1).entries.map((e) => e.summary)).toEqual(['serve eu-west-1 for 600 s: r2', 'serve eu-west-1 for 600 s: r1']);
    const since = await handleApiRequest(w.deps, request({ path: '/audit', query: { since: String(page1.entries[1]!.atMs) } }));
    expect((since.body as typeof page1).entries).toHaveLength(2);
    const bad = await handleApiRequest(w.deps, request({ path: '/audit', query: { limit: '0', since: 'yesterday' } }));
    expect(bad.statusCode).toBe(400);
    expect((bad.body as { problems: Array<{ path: string }> }).problems.map((p) => p.path)).toEqual(['since', 'limit']);
  });

  it('answers a cursor it never gave out with 400 instead of starting from the top', async () => {
    const w = operatorWorld();
    await handleApiRequest(w.deps, postOverride({ ...drainEu, action: 'serve' }, 'c1'));
    const answer = await handleApiRequest(w.deps, request({ path: '/audit', query: { cursor: 'no-such-entry' } }));
    expect(answer).toMatchObject({ statusCode: 400, body: { error: 'invalid audit query', problems: [{ path: 'cursor', message: 'must be a cursor returned by a previous page' }] } });
  });

  it('reports each target with its tally, verdicts, proposals, route 53 state and active override', async () => {
    const w = operatorWorld();
    await w.step();
    await handleApiRequest(w.deps, postOverride({ ...drainEu, action: 'serve' }));
    const response = await handleApiRequest(w.deps, request({ path: '/status' }));
    expect(response.statusCode).toBe(200);
    const body = response.body as { quorum: number; targets: Array<{ target: string; route53: string; tally: { healthy: number }; verdicts: Record<string, { status: string }>; override: { id: string } | null }> };
    expect(body.quorum).toBe(2);
    const eu = body.targets.find((t) => t.target === 'eu-west-1')!;
    expect(eu).toMatchObject({ route53: 'serving', tally: { healthy: 3 }, verdicts: { 'ap-southeast-2': { status: 'healthy' } } });
    expect(eu.override).not.toBeNull();
  });

  it("shows a data-plane target's vote instead of its record, and reads Route 53 for weight targets only", async () => {
    const targets = configInput().targets.map((t) => (t.region === 'eu-west-1' ? { ...t, route53: { ...t.route53, mode: 'health-check' as const } } : t));
    const w = operatorWorld({ targets, overrides: { ttlSecondsMax: 3600, operators: [operator] } });
    await w.step();
    const read: string[][] = [];
    const readRecords = w.dns.readRecords.bind(w.dns);
    w.dns.readRecords = async (bindings) => (read.push(bindings.map((b) => b.setIdentifier)), readRecords(bindings));
    const vote = async () => {
      const body = (await handleApiRequest(w.deps, request({ path: '/status' }))).body as { targets: Array<{ target: string; binding: string; route53: string | null; vote: unknown }> };
      return body.targets.find((t) => t.target === 'eu-west-1')!;
    };
    expect(await vote()).toMatchObject({ binding: 'health-check', route53: null, vote: { mechanism: 'gate', vote: 'no-drain' } });
    expect(read).toEqual([['us-east-1', 'ap-southeast-2']]);
    expect((await handleApiRequest(w.deps, postOverride(drainEu))).statusCode).toBe(201);
    await w.step();
    expect(await vote()).toMatchObject({ binding: 'health-check', vote: { mechanism: 'gate', vote: 'drain' } });
  });

  it('never answers 5xx, and changes nothing on a 4xx, whatever the method, path, headers, query or body', async () => {
    const w = operatorWorld({ overrides: { ttlSecondsMax: 3600, operators: [operator] } });
    const anyPath = fc.oneof(
      fc.constantFrom('/status', '/overrides', '/drills', '/audit', '/overrides/ov-0001', '/drills/drill-0001', '/', '', '/status/', '//overrides', '/OVERRIDES'),
      fc.string({ maxLength: 40 }).map((s) => `/${s}`),
      fc.tuple(fc.constantFrom('/overrides/', '/drills/'), fc.string({ maxLength: 300 })).map(([a, b]) => a + b),
    );
    const anyBody = fc.oneof(
      fc.constant(null),
      fc.string({ maxLength: 60 }),
      fc.json({ maxDepth: 3 }),
      fc.record({
        target: fc.constantFrom('eu-west-1', 'us-east-1', 'x', ''), action: fc.constantFrom('drain', 'serve', 'x'), ttlSeconds: fc.oneof(fc.integer({ min: -10, max: 5000 }), fc.double()),
        reason: fc.string({ maxLength: 10 }), force: fc.boolean(), mode: fc.constantFrom('shadow', 'evacuate'), holdSeconds: fc.integer({ min: -5, max: 5000 }),
      }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    );
    const target = fc.constantFrom('eu-west-1', 'us-east-1', 'ap-southeast-2');
    const key = fc.integer({ min: 1, max: 10_000 }).map((n) => ({ 'idempotency-key': `k${n}` }));
    const principal = fc.oneof({ arbitrary: fc.constant<string | null>(operator), weight: 8 }, { arbitrary: fc.constantFrom<string | null>(null, '', 'someone-else'), weight: 1 });
    const at = (method: string, path: string, body: string | null, headers: Record<string, string> = {}, query: Record<string, string> = {}) => ({ method, path, body, headers, query });
    const request = fc.oneof(
      // Well-formed calls (so the handlers, not only the router's edges, are exercised)...
      { arbitrary: fc.tuple(target, fc.constantFrom('drain', 'serve'), fc.integer({ min: 1, max: 3600 }), fc.boolean(), key).map(([t, action, ttlSeconds, force, headers]) => at('POST', '/overrides', JSON.stringify({ target: t, action, ttlSeconds, reason: 'fuzz', force }), headers)), weight: 4 },
      { arbitrary: fc.tuple(target, fc.constantFrom('shadow', 'evacuate'), fc.integer({ min: 30, max: 120 })).map(([t, mode, holdSeconds]) => at('POST', '/drills', JSON.stringify({ target: t, mode, holdSeconds }))), weight: 1 },
      { arbitrary: fc.integer({ min: 1, max: 60 }).map((n) => at('DELETE', `/overrides/ov-${String(n).padStart(4, '0')}`, null)), weight: 1 },
      { arbitrary: fc.constantFrom('/status', '/overrides', '/drills', '/audit').map((path) => at('GET', path, null)), weight: 1 },
      // ...and anything at all.
      {
        arbitrary: fc.record({
          method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'get', 'OPTIONS', ''), path: anyPath, body: anyBody,
          headers: fc.dictionary(fc.constantFrom('idempotency-key', 'content-type', 'x'), fc.string({ maxLength: 300 })),
          query: fc.dictionary(fc.constantFrom('since', 'limit', 'cursor', 'reason', 'zzz'), fc.string({ maxLength: 20 })),
        }),
        weight: 4,
      },
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, principal, async (req, who) => {
        const before = [w.store.overrides.size, w.store.overrideEnds.size, w.store.drills.size, w.store.audit.size];
        const response = await handleApiRequest(w.deps, { ...req, principal: who, requestId: 'fuzz' });
        expect(response.statusCode).toBeGreaterThanOrEqual(200);
        expect(response.statusCode).toBeLessThan(500);
        // Bad input changes nothing (a 409 records its refusal).
        if (response.statusCode >= 400 && response.statusCode !== 409) expect([w.store.overrides.size, w.store.overrideEnds.size, w.store.drills.size, w.store.audit.size]).toEqual(before);
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        w.clock.advance(1_000);
      }),
      { numRuns: 500, seed: 20261123 },
    );
    // The fuzz reaches every kind of answer, not only the router's edges.
    expect([200, 201, 202, 400, 401, 403, 404, 405, 409].filter((status) => !statuses.has(status))).toEqual([]);
  });
});
