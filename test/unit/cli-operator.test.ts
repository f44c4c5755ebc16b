/**
 * The operator commands end to end through main(): argument errors, table and JSON output,
 * client-side failover across regional URLs (local http servers), SigV4 and Idempotency-Key headers.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { main } from '../../cli/main';
import { exitCodes, type CommandIo } from '../../cli/io';
import { parseDurationSeconds, renderTable } from '../../cli/format/table';

interface Seen { method: string; url: string; headers: IncomingHttpHeaders; body: string }
type Reply = (seen: Seen) => { status: number; body: unknown };

const servers: Server[] = [];
async function apiServer(reply: Reply): Promise<{ url: (region: string) => string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
      seen.push(entry);
      const { status, body: out } = reply(entry);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  return { url: (region) => `http://127.0.0.1:${port}/api/${region}`, seen };
}

/** A loopback URL nothing listens on: a port that was free a moment ago. */
async function refusingUrl(region: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/api/${region}`;
}

function captureIo(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

const statusBody = {
  observer: 'eu-west-1', nowMs: 1_700_000_000_000, quorum: 2, problems: [], activeOverrides: [], runningDrills: [], observers: [],
  lastApplied: { decisionId: 'd-1', observer: 'eu-west-1', decidedMs: 1_700_000_000_000, appliedMs: 1_700_000_000_500, changeId: 'C1', routing: { 'us-east-1': 'drained', 'eu-west-1': 'serving' } },
  targets: [
    { target: 'us-east-1', routing: 'drained', binding: 'weight', route53: 'drained', vote: null, tally: { target: 'us-east-1', quorum: 2, healthy: 0, suspect: 0, unhealthy: 3, unknown: 0, byObserver: {} }, verdicts: {}, proposals: {}, override: null },
    { target: 'eu-west-1', routing: 'serving', binding: 'health-check', route53: null, vote: { mechanism: 'gate', vote: 'no-drain' }, tally: { target: 'eu-west-1', quorum: 2, healthy: 3, suspect: 0, unhealthy: 0, unknown: 0, byObserver: {} }, verdicts: {}, proposals: {}, override: null },
  ],
};

const savedEnv = { ...process.env };
beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDCLITEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret-for-tests';
  delete process.env.AWS_PROFILE;
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe('arbiter operator commands: arguments', () => {
  it.each([
    [['drain', 'eu-west-1', '--reason', 'x', '--endpoint', 'http://127.0.0.1:9/api/eu-west-1'], /--ttl/],
    [['drain', 'eu-west-1', '--ttl', '5x', '--reason', 'x', '--endpoint', 'http://127.0.0.1:9/api/eu-west-1'], /--ttl must be a duration with a unit, like 90s, 30m, 2h or 1d, got "5x"/],
    [['drain', 'eu-west-1', '--ttl', '30', '--reason', 'x', '--endpoint', 'http://127.0.0.1:9/api/eu-west-1'], /--ttl must be a duration with a unit, .*got "30" \(a unit is required: 30s or 30m\?\)/],
    [['audit', '--cursor', 'not a cursor!', '--endpoint', 'http://127.0.0.1:9/api/eu-west-1'], /--cursor must be a cursor printed by a previous page/],
    [['audit', '--since', 'yesterday', '--endpoint', 'http://127.0.0.1:9/api/eu-west-1'], /--since must be a duration back from now \(10m, 2h, 7d\), epoch ms or an ISO 8601 time, got "yesterday"/],
    [['drill', 'eu-west-1', '--mode', 'shadow', '--hold', '5m', '--endpoint', 'http://127.0.0.1:9/api/eu-west-1'], /--hold applies to evacuate drills only/],
    [['status', '--local', '99999', '--config', 'arbiter.config.yml'], /--local port must be 1-65535, got "99999"/],
    [['status', '--output', 'xml', '--endpoint', 'http://127.0.0.1:9/api/eu-west-1'], /--output must be table or json, got "xml"/],
    [['drill', 'eu-west-1', '--mode', 'chaos', '--endpoint', 'http://127.0.0.1:9/api/eu-west-1'], /--mode must be shadow or evacuate, got "chaos"/],
    [['status', '--endpoint', 'not a url'], /--endpoint is not a URL/],
    [['status', '--stage', 'nosuchstage'], /\.arbiter\/nosuchstage\.json does not exist \(run arbiter deploy, or pass --endpoint <url> or --local\)/],
    [['status', '--region', 'sa-east-1', '--endpoint', 'http://127.0.0.1:9/api/eu-west-1'], /--region sa-east-1 has no API URL \(known: eu-west-1\)/],
  ])('%j is a usage error naming the problem', async (argv, message) => {
    const io = captureIo();
    expect(await main(argv, io)).toBe(exitCodes.usage);
    expect(io.stderr.join('\n')).toMatch(message);
    expect(io.stdout).toEqual([]);
  });

  it('parses durations and rejects zero', () => {
    expect(parseDurationSeconds('30m', '--ttl')).toBe(1800);
    expect(parseDurationSeconds('2h', '--ttl')).toBe(7200);
    expect(() => parseDurationSeconds('45', '--ttl')).toThrow('a unit is required');
    expect(() => parseDurationSeconds('0s', '--ttl')).toThrow('at least 1 second');
  });

  it('renders aligned tables', () => {
    expect(renderTable(['A', 'LONGER'], [['wide cell', 'x']]).split('\n')).toEqual(['A          LONGER', '---------  ------', 'wide cell  x']);
  });
});

describe('arbiter operator commands: output and failover', () => {
  it('fails over from a region refusing connections to the next and says which region answered (table output)', async () => {
    const api = await apiServer(() => ({ status: 200, body: statusBody }));
    const io = captureIo();
    const code = await main(['status', '--endpoint', await refusingUrl('us-east-1'), '--endpoint', api.url('eu-west-1')], io);
    expect(code).toBe(exitCodes.ok);
    expect(io.stderr.join('\n')).toMatch(/answered by eu-west-1 after trying us-east-1: connection refused/);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/^TARGET\s+DECIDED\s+ROUTE 53/m);
    expect(out).toMatch(/^us-east-1\s+drained\s+drained\s+0 healthy, 3 unhealthy/m);
    expect(out).toMatch(/^eu-west-1\s+serving\s+vote no-drain \(gate\)\s+3 healthy/m);
    expect(out).toMatch(/Last decision d-1 applied by eu-west-1/);
    expect(api.seen).toHaveLength(1);
  });

  it('signs requests with SigV4 for execute-api in the endpoint region and prints the body as JSON with --output json', async () => {
    const api = await apiServer(() => ({ status: 200, body: statusBody }));
    const io = captureIo();
    expect(await main(['status', '--output', 'json', '--endpoint', api.url('eu-west-1')], io)).toBe(exitCodes.ok);
    expect(JSON.parse(io.stdout.join('\n'))).toEqual(statusBody);
    const headers = api.seen[0]!.headers;
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDCLITEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('skips a region answering 5xx, and exits 3 naming every region when none answers', async () => {
    const failing = await apiServer(() => ({ status: 503, body: { error: 'dependency failed' } }));
    const io = captureIo();
    const code = await main(['overrides', '--endpoint', failing.url('us-east-1'), '--endpoint', await refusingUrl('eu-west-1')], io);
    expect(code).toBe(exitCodes.unreachable);
    expect(io.stderr.join('\n')).toMatch(/no region answered: us-east-1 at http:\/\/127\.0\.0\.1:\d+\/api\/us-east-1 \(HTTP 503\); eu-west-1 at http:\/\/127\.0\.0\.1:\d+\/api\/eu-west-1 \(connection refused\)/);
  });

  it('sends a drain with a fresh Idempotency-Key per invocation and reports a safety refusal as exit 4 with the way out', async () => {
    let calls = 0;
    const api = await apiServer(() => {
      calls += 1;
      return calls === 1
        ? { status: 201, body: { override: { id: 'ov-1', target: 'eu-west-1', action: 'drain', createdMs: 0, expiresMs: 1_800_000, reason: 'db', actor: 'me', force: false, source: 'api' }, warnings: [] } }
        : { status: 409, body: { error: 'refused by safety rule maxDrained 1', rule: 'maxDrained', hint: 'pass "force": true to override the rule' } };
    });
    const first = captureIo();
    expect(await main(['drain', 'eu-west-1', '--ttl', '30m', '--reason', 'db', '--endpoint', api.url('eu-west-1')], first)).toBe(exitCodes.ok);
    expect(first.stdout.join('\n')).toMatch(/^Override ov-1: drain eu-west-1 until 1970-01-01T00:30:00Z; answered by eu-west-1\.$/);
    expect(JSON.parse(api.seen[0]!.body)).toEqual({ target: 'eu-west-1', action: 'drain', ttlSeconds: 1800, reason: 'db', force: false });
    const second = captureIo();
    expect(await main(['drain', 'us-east-1', '--ttl', '30m', '--reason', 'db', '--endpoint', api.url('eu-west-1')], second)).toBe(exitCodes.refused);
    expect(second.stderr.join('\n')).toMatch(/refused by safety rule maxDrained 1 .*\n.*repeat with --force/);
    const keys = api.seen.map((s) => s.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^cli-[0-9a-f-]{36}$/);
    expect(keys[1]).not.toBe(keys[0]);
  });

  it('restore ends an active drain override, and with none changes nothing and points to pin', async () => {
    const drain = { id: 'ov-7', target: 'eu-west-1', action: 'drain', createdMs: 0, expiresMs: 9, reason: 'r', actor: 'a', force: false, source: 'api' };
    const pin = { ...drain, id: 'ov-9', target: 'us-east-1', action: 'serve' };
    const api = await apiServer((seen) => {
      if (seen.method === 'GET') return { status: 200, body: { overrides: [drain, pin] } };
      if (seen.method === 'DELETE') return { status: 200, body: { end: { overrideId: 'ov-7' }, override: drain } };
      return { status: 500, body: { error: 'restore must not write' } };
    });
    const ended = captureIo();
    expect(await main(['restore', 'eu-west-1', '--endpoint', api.url('eu-west-1')], ended)).toBe(exitCodes.ok);
    expect(api.seen.map((s) => `${s.method} ${s.url.split('?')[0]}`)).toEqual(['GET /api/eu-west-1/overrides', 'DELETE /api/eu-west-1/overrides/ov-7']);
    expect(ended.stdout.join('\n')).toMatch(/Ended drain override ov-7 on eu-west-1/);

    const nothing = captureIo();
    expect(await main(['restore', 'us-east-1', '--endpoint', api.url('eu-west-1')], nothing)).toBe(exitCodes.ok);
    expect(api.seen.slice(2).map((s) => s.method)).toEqual(['GET']);
    expect(nothing.stdout.join('\n')).toMatch(/us-east-1 has no active drain override: nothing to restore, nothing changed; it is pinned serving by ov-9/);
    expect(nothing.stdout.join('\n')).toMatch(/arbiter pin us-east-1 --ttl 1h --reason/);
  });

  it('pin creates a serve override only with --ttl (a unit) and --reason, and warns that automation is off', async () => {
    const api = await apiServer((seen) => {
      const body = JSON.parse(seen.body) as { target: string; ttlSeconds: number };
      return { status: 201, body: { override: { id: 'ov-3', target: body.target, action: 'serve', createdMs: 0, expiresMs: body.ttlSeconds * 1000, reason: 'r', actor: 'me', force: false, source: 'api' }, warnings: [] } };
    });
    const missing = captureIo();
    expect(await main(['pin', 'eu-west-1', '--ttl', '1h', '--endpoint', api.url('eu-west-1')], missing)).toBe(exitCodes.usage);
    expect(api.seen).toHaveLength(0);
    const pinned = captureIo();
    expect(await main(['pin', 'eu-west-1', '--ttl', '2h', '--reason', 'db migration', '--endpoint', api.url('eu-west-1')], pinned)).toBe(exitCodes.ok);
    expect(JSON.parse(api.seen[0]!.body)).toEqual({ target: 'eu-west-1', action: 'serve', ttlSeconds: 7200, reason: 'db migration', force: false });
    expect(pinned.stdout.join('\n')).toMatch(/Override ov-3: serve eu-west-1 until 1970-01-01T02:00:00Z.*\nWarning: automation is OFF for eu-west-1 until 1970-01-01T02:00:00Z: it stays serving even if it fails.*arbiter overrides end ov-3/);
  });

  it('overrides end <id> ends any override through DELETE /overrides/{id}; overrides alone still lists', async () => {
    const pin = { id: 'ov-9', target: 'us-east-1', action: 'serve', createdMs: 0, expiresMs: 9, reason: 'r', actor: 'a', force: false, source: 'api' };
    const api = await apiServer((seen) => (seen.method === 'GET' ? { status: 200, body: { overrides: [pin] } } : seen.url.includes('ov-9') ? { status: 200, body: { end: { overrideId: 'ov-9' }, override: pin } } : { status: 404, body: { error: 'no active override ov-404' } }));
    const ended = captureIo();
    expect(await main(['overrides', 'end', 'ov-9', '--reason', 'done', '--endpoint', api.url('eu-west-1')], ended)).toBe(exitCodes.ok);
    expect(`${api.seen[0]!.method} ${api.seen[0]!.url}`).toBe('DELETE /api/eu-west-1/overrides/ov-9?reason=done');
    expect(ended.stdout.join('\n')).toMatch(/Ended override ov-9 \(serve us-east-1\)/);
    const unknown = captureIo();
    expect(await main(['overrides', 'end', 'ov-404', '--endpoint', api.url('eu-west-1')], unknown)).toBe(exitCodes.refused);
    expect(unknown.stderr.join('\n')).toMatch(/no active override ov-404/);
    const listed = captureIo();
    expect(await main(['overrides', '--endpoint', api.url('eu-west-1')], listed)).toBe(exitCodes.ok);
    expect(listed.stdout.join('\n')).toMatch(/ov-9 +us-east-1 +serve \(PIN: automation off\)/);
  });

  it('status puts every pin first, saying that automation is off for it', async () => {
    const pin = { id: 'ov-9', target: 'eu-west-1', action: 'serve', createdMs: 0, expiresMs: 1_700_000_600_000, reason: 'db', actor: 'me', force: false, source: 'api' };
    const api = await apiServer(() => ({ status: 200, body: { ...statusBody, activeOverrides: [pin], targets: statusBody.targets.map((t) => (t.target === 'eu-west-1' ? { ...t, override: pin } : t)) } }));
    const io = captureIo();
    expect(await main(['status', '--endpoint', api.url('eu-west-1')], io)).toBe(exitCodes.ok);
    expect(io.stdout[0]!.split('\n')[0]).toBe('PINNED SERVING: eu-west-1 until 2023-11-14T22:23:20Z by me (ov-9: db). Automation is OFF for eu-west-1: it stays serving even if it fails. End it: arbiter overrides end ov-9');
    expect(io.stdout[0]).toMatch(/eu-west-1 .*PINNED serving until/);
  });
});

describe('arbiter status: Route 53\'s own check status of data-plane targets', () => {
  const checks = {
    'eu-west-1': { calculated: 'healthy' as const, children: [
      { id: 'c1', type: 'HTTPS', status: { reporting: 6, succeeding: 6, healthy: true } },
      { id: 'c2', type: 'HTTPS', status: { reporting: 6, succeeding: 0, healthy: false } },
      { id: 'c3', type: 'HTTPS', status: null },
    ], problem: null },
  };

  it('reads the checks of the targets the API reports a vote for, and shows them next to the vote (table and JSON)', async () => {
    const api = await apiServer(() => ({ status: 200, body: statusBody }));
    const asked: string[][] = [];
    const health = { ids: { 'eu-west-1': 'hc-calc-eu', 'us-east-1': 'hc-not-data-plane' }, read: async (targets: readonly string[]) => (asked.push([...targets]), checks) };
    const { runStatus } = await import('../../cli/commands/status');
    const { operatorContext } = await import('../../cli/client/operator-context');
    const io = captureIo();
    expect(await runStatus(operatorContext({ config: 'arbiter.config.yml', output: 'table', stage: 'dev', endpoint: [api.url('eu-west-1')] }, io, { health }))).toBe(exitCodes.ok);
    expect(asked).toEqual([['eu-west-1']]); // us-east-1 is a weight target: its Route 53 column is the record's weight
    expect(io.stdout.join('\n')).toMatch(/^TARGET +DECIDED +ROUTE 53 +ROUTE 53 CHECK/m);
    expect(io.stdout.join('\n')).toMatch(/^eu-west-1 +serving +vote no-drain \(gate\) +healthy, 1 of 2 children unhealthy +3 healthy/m);
    expect(io.stdout.join('\n')).toMatch(/^us-east-1 +drained +drained +- +0 healthy/m);
    const json = captureIo();
    expect(await runStatus(operatorContext({ config: 'arbiter.config.yml', output: 'json', stage: 'dev', endpoint: [api.url('eu-west-1')] }, json, { health }))).toBe(exitCodes.ok);
    expect(JSON.parse(json.stdout.join('\n'))).toEqual({ ...statusBody, route53Checks: checks });
  });

  it('says why a check is unknown when Route 53 cannot be read, and that it was not read without ids', async () => {
    const api = await apiServer(() => ({ status: 200, body: statusBody }));
    const unreadable = { ids: { 'eu-west-1': 'hc-calc-eu' }, read: async () => ({ 'eu-west-1': { calculated: 'unknown' as const, children: [], problem: 'Route 53 status unreadable: TimeoutError: us-east-1 down' } }) };
    const { runStatus } = await import('../../cli/commands/status');
    const { operatorContext } = await import('../../cli/client/operator-context');
    const io = captureIo();
    expect(await runStatus(operatorContext({ config: 'arbiter.config.yml', output: 'table', stage: 'dev', endpoint: [api.url('eu-west-1')] }, io, { health: unreadable }))).toBe(exitCodes.ok);
    expect(io.stdout.join('\n')).toContain('unknown (Route 53 status unreadable: TimeoutError: us-east-1 down)');
    const none = captureIo();
    expect(await runStatus(operatorContext({ config: 'arbiter.config.yml', output: 'table', stage: 'dev', endpoint: [api.url('eu-west-1')] }, none, { health: null }))).toBe(exitCodes.ok);
    expect(none.stdout.join('\n')).toContain('Route 53\'s own check status: not read (no health-check ids in .arbiter/<stage>.json; arbiter deploy writes them).');
    expect(none.stdout.join('\n')).not.toContain('ROUTE 53 CHECK');
  });

  it('takes the ids from the outputs file deploy writes, ignoring what is not an id', async () => {
    const { mkdtempSync, writeFileSync: write } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { healthCheckIdsFromOutputs } = await import('../../cli/client/route53-status');
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-outputs-'));
    write(join(dir, 'prod.json'), JSON.stringify({ stage: 'prod', apiUrls: {}, healthChecks: { 'eu-west-1': '3f2c0a1e-1111-2222-3333-444455556666', 'us-east-1': 42, 'ap-southeast-2': 'not an id!' } }));
    expect(healthCheckIdsFromOutputs(join(dir, 'prod.json'))).toEqual({ 'eu-west-1': '3f2c0a1e-1111-2222-3333-444455556666' });
    expect(healthCheckIdsFromOutputs(join(dir, 'missing.json'))).toEqual({});
  });
});

describe('arbiter CLI habits', () => {
  it('keeps its literal defaults (so --help loads no command module) equal to the modules\' own', async () => {
    const cli = await import('../../cli/main');
    expect(cli.defaultConfigPath).toBe((await import('../../shared/adapters/config/config-file')).defaultConfigPath);
    expect(Number(cli.startPortDefault)).toBe((await import('../../cli/local/local-run')).defaultLocalPort);
  });

  it('prints its version with --version and -V', async () => {
    for (const flag of ['--version', '-V']) {
      const io = captureIo();
      expect(await main([flag], io)).toBe(exitCodes.ok);
      expect(io.stdout).toEqual([(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version]);
    }
  });

  it('prints the API\'s error body as JSON on stdout with --output json, and still exits by the table', async () => {
    const problems = [{ path: 'ttlSeconds', message: 'must be at most overrides.ttlSecondsMax (86400)' }];
    const api = await apiServer(() => ({ status: 400, body: { error: 'invalid override request', problems } }));
    const io = captureIo();
    expect(await main(['drain', 'eu-west-1', '--ttl', '30d', '--reason', 'x', '--output', 'json', '--endpoint', api.url('eu-west-1')], io)).toBe(exitCodes.usage);
    expect(JSON.parse(io.stdout.join('\n'))).toEqual({ error: 'invalid override request', problems, status: 400, region: 'eu-west-1' });
    const usage = captureIo();
    expect(await main(['drain', 'eu-west-1', '--ttl', '30', '--reason', 'x', '--output', 'json', '--endpoint', api.url('eu-west-1')], usage)).toBe(exitCodes.usage);
    expect(JSON.parse(usage.stdout.join('\n')).error).toMatch(/^--ttl must be a duration with a unit/);
    const unreachable = captureIo();
    expect(await main(['status', '--output', 'json', '--endpoint', await refusingUrl('us-east-1')], unreachable)).toBe(exitCodes.unreachable);
    expect(JSON.parse(unreachable.stdout.join('\n'))).toMatchObject({ error: 'no region answered', tried: [{ region: 'us-east-1', reason: 'connection refused' }] });
  });

  it('audit --since 10m asks for entries from ten minutes ago; an ISO time passes as epoch ms', async () => {
    const api = await apiServer(() => ({ status: 200, body: { entries: [] } }));
    const before = Date.now();
    expect(await main(['audit', '--since', '10m', '--endpoint', api.url('eu-west-1')], captureIo())).toBe(exitCodes.ok);
    const since = Number(new URL(api.seen[0]!.url, 'http://x').searchParams.get('since'));
    expect(since).toBeGreaterThanOrEqual(before - 600_000);
    expect(since).toBeLessThanOrEqual(Date.now() - 600_000);
    expect(await main(['audit', '--since', '2026-12-01T00:00:00Z', '--endpoint', api.url('eu-west-1')], captureIo())).toBe(exitCodes.ok);
    expect(new URL(api.seen[1]!.url, 'http://x').searchParams.get('since')).toBe(String(Date.parse('2026-12-01T00:00:00Z')));
  });

  it('refuses --profile naming a profile that does not exist, before any request', async () => {
    const api = await apiServer(() => ({ status: 200, body: statusBody }));
    const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };
    process.env.AWS_CONFIG_FILE = '/nonexistent/arbiter-test/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/arbiter-test/credentials';
    try {
      const io = captureIo();
      expect(await main(['status', '--profile', 'prod-admin', '--endpoint', api.url('eu-west-1')], io)).toBe(exitCodes.usage);
      expect(io.stderr).toEqual(['arbiter: --profile: profile "prod-admin" is not in /nonexistent/arbiter-test/config or /nonexistent/arbiter-test/credentials (no profile is configured)']);
      expect(api.seen).toHaveLength(0);
    } finally {
      for (const [key, value] of [['AWS_CONFIG_FILE', saved.config], ['AWS_SHARED_CREDENTIALS_FILE', saved.credentials]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  const report = {
    id: 'drill-9', target: 'eu-west-1', mode: 'evacuate', observer: 'us-east-1', startedBy: 'me', startedMs: 1_700_000_000_000, status: 'passed', holdSeconds: 60, overrideId: 'ov-1',
    phases: [{ name: 'requested', startedMs: 1_700_000_000_000, endedMs: 1_700_000_000_000, durationMs: 0 }, { name: 'drain-decision', startedMs: 1_700_000_000_000, endedMs: 1_700_000_004_000, durationMs: 4000 }, { name: 'drain-insync', startedMs: 1_700_000_004_000, endedMs: null, durationMs: null, detail: 'timed out after 120000 ms' }],
    changeIds: ['C1'], rtoMs: 42_000, rtoSecondsMax: 120, problems: ['note: hold capped at 50 s by the invocation\'s remaining time'], version: 5,
  };

  it('drills <id> prints one drill\'s phases, times in UTC, and its notes', async () => {
    const api = await apiServer(() => ({ status: 200, body: { drill: report } }));
    const io = captureIo();
    expect(await main(['drills', 'drill-9', '--endpoint', api.url('eu-west-1')], io)).toBe(exitCodes.ok);
    expect(api.seen[0]!.url).toBe('/api/eu-west-1/drills/drill-9');
    const text = io.stdout.join('\n');
    expect(text).toMatch(/^Drill drill-9: evacuate eu-west-1, PASSED, hold 60 s; started 2023-11-14T22:13:20Z by me in us-east-1\.\nRTO: 42\.0 s of 120 s\./);
    expect(text).toMatch(/^drain-decision +2023-11-14T22:13:20Z +4\.0 s/m);
    expect(text).toMatch(/^drain-insync +2023-11-14T22:13:24Z +did not complete +timed out after 120000 ms$/m);
    expect(text).toContain('Note: hold capped at 50 s');
  });

  it('drill --wait on a data-plane target also reports when Route 53\'s own check went unhealthy and healthy again', async () => {
    let reads = 0;
    const api = await apiServer((seen) => {
      if (seen.method === 'POST') return { status: 202, body: { drill: { ...report, status: 'running' }, launched: true } };
      reads += 1;
      return { status: 200, body: { drill: { ...report, status: reads < 4 ? 'running' : 'passed' } } };
    });
    // Route 53's CALCULATED check as read at each poll: not published yet, unhealthy twice, healthy again.
    const answers = ['unknown', 'unhealthy', 'unhealthy', 'healthy'] as const;
    const asked: string[][] = [];
    const health = { ids: { 'eu-west-1': 'hc-calc-eu' }, read: async (targets: readonly string[]) => {
      asked.push([...targets]);
      const calculated = answers[Math.min(asked.length - 1, answers.length - 1)]!;
      return { 'eu-west-1': { calculated, children: [], problem: calculated === 'unknown' ? 'no datapoint' : null } };
    } };
    const { runDrill } = await import('../../cli/commands/drill');
    const { operatorContext } = await import('../../cli/client/operator-context');
    const io = captureIo();
    const ctx = operatorContext({ config: 'arbiter.config.yml', output: 'table', stage: 'dev', endpoint: [api.url('eu-west-1')] }, io, { health });
    expect(await runDrill(ctx, 'eu-west-1', { mode: 'evacuate', hold: '1m', wait: true }, 10)).toBe(exitCodes.ok);
    expect(asked).toEqual([['eu-west-1'], ['eu-west-1'], ['eu-west-1'], ['eu-west-1']]);
    expect(io.stdout.join('\n')).toMatch(/Route 53's own check of eu-west-1 \(read 4 times, every 0 s\): unhealthy from \+\d+ s, healthy again from \+\d+ s\.$/);

    const json = captureIo();
    reads = 0;
    asked.length = 0;
    const jsonCtx = operatorContext({ config: 'arbiter.config.yml', output: 'json', stage: 'dev', endpoint: [api.url('eu-west-1')] }, json, { health });
    expect(await runDrill(jsonCtx, 'eu-west-1', { mode: 'evacuate', hold: '1m', wait: true }, 10)).toBe(exitCodes.ok);
    const observed = JSON.parse(json.stdout.at(-1)!).route53Observed;
    expect(observed).toMatchObject({ target: 'eu-west-1', reads: 4, problem: 'no datapoint' });
    expect(observed.unhealthyFromMs).not.toBeNull();
    expect(observed.healthyAgainFromMs).toBeGreaterThanOrEqual(observed.unhealthyFromMs);
  });

  it('drill --wait polls the report until it is no longer running and exits by its status', async () => {
    for (const [status, code] of [['passed', exitCodes.ok], ['failed', exitCodes.failure], ['refused', exitCodes.refused]] as const) {
      let reads = 0;
      const api = await apiServer((seen) => {
        if (seen.method === 'POST') return { status: 202, body: { drill: { ...report, status: 'running' }, launched: true } };
        reads += 1;
        return { status: 200, body: { drill: { ...report, status: reads < 3 ? 'running' : status } } };
      });
      const io = captureIo();
      const { runDrill } = await import('../../cli/commands/drill');
      const { operatorContext } = await import('../../cli/client/operator-context');
      const ctx = operatorContext({ config: 'arbiter.config.yml', output: 'table', stage: 'dev', endpoint: [api.url('eu-west-1')] }, io);
      expect(await runDrill(ctx, 'eu-west-1', { mode: 'evacuate', hold: '1m', wait: true }, 10)).toBe(code);
      expect(reads).toBe(3);
      expect(io.stderr.filter((l) => l.startsWith('drill drill-9: running'))).toHaveLength(2);
      expect(io.stdout.join('\n')).toMatch(new RegExp(`^Drill drill-9: evacuate eu-west-1, ${status.toUpperCase()}`));
    }
  });
});

