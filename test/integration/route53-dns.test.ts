import { Route53Dns } from '../../shared/adapters/aws/route53-dns';
import { appliedFromRoute53, decodeRegister, nextRegister, normaliseZoneId, planRoute, registerName, routingFromRecords, wholeZonePlan, type RecordSetView, type Routing, type ValidConfig } from '../../shared/domain';
import { DnsError } from '../../shared/ports';
import { makeConfig, regions } from '../support/fixtures';
import { startMoto, type Moto } from '../support/moto';
import { FaultyHttpHandler, type RecordedRequest } from './support/faulty-http-handler';
import { createWeightedZone, weightsIn } from './support/route53-fixtures';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

const isChange = (r: RecordedRequest) => r.method === 'POST' && /\/rrset\/?$/.test(r.path);
const isGetChange = (r: RecordedRequest) => r.method === 'GET' && r.path.includes('/change/');

function errorXml(code: string): { statusCode: number; headers: Record<string, string>; body: string } {
  return { statusCode: 400, headers: { 'content-type': 'text/xml' }, body: `<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>injected ${code}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>` };
}

function configFor(zoneId: string, name: string): ValidConfig {
  const base = makeConfig();
  return { ...base, targets: base.targets.map((t) => ({ ...t, route53: { ...t.route53, hostedZoneId: zoneId, recordName: name } })) };
}

async function setupFor(zoneId: string, attemptsMax: number) {
  const handler = new FaultyHttpHandler();
  const dns = new Route53Dns({ sdk: { ...moto.clientOptions('us-east-1'), requestHandler: handler, attemptsMax, backoffBaseMs: 1, backoffCapMs: 5 } });
  return { zoneId, handler, dns };
}

/** What the decide runtime does: read, plan, UPSERT what differs per zone. */
async function reconcile(dns: Route53Dns, config: ValidConfig, routing: Routing, decisionId: string): Promise<string[]> {
  const records = await dns.readRecords(config.targets.map((t) => t.route53));
  const plan = planRoute(config.targets, routing, records);
  const ids: string[] = [];
  for (const [zone, changes] of Object.entries(plan.byZone)) ids.push((await dns.applyChanges(zone, changes, decisionId)).changeId);
  return ids;
}

describe('Route53Dns against moto', () => {
  it('reads exactly the bound weighted records (all set identifiers of the bound name, nothing else)', async () => {
    const zoneId = await createWeightedZone(moto, regions, 'read.example.com.');
    const { dns } = await setupFor(zoneId, 4);
    const config = configFor(zoneId, 'api.read.example.com');
    const records = await dns.readRecords(config.targets.map((t) => t.route53));
    expect(records.map((r) => [r.name, r.setIdentifier, r.weight]).sort()).toEqual(regions.map((r) => ['api.read.example.com.', r, 100]).sort());
    expect(records[0]!.hostedZoneId).toBe(zoneId);
  });

  it('UPSERTs only the weight that differs, tagged with the decision id; a second apply of the same decision sends nothing', async () => {
    const zoneId = await createWeightedZone(moto, regions, 'apply.example.com.');
    const { dns, handler } = await setupFor(zoneId, 4);
    const config = configFor(zoneId, 'api.apply.example.com');
    const ids = await reconcile(dns, config, { 'eu-west-1': 'drained' }, 'd-1234-abcd');
    expect(ids).toHaveLength(1);
    const weights = await weightsIn(moto, zoneId);
    expect(weights['api.apply.example.com.|eu-west-1']).toBe(0);
    expect(weights['api.apply.example.com.|us-east-1']).toBe(100);
    expect(weights['decoy.apply.example.com.|eu-west-1']).toBe(100);
    const sent = handler.requests.filter(isChange);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toContain('<Comment>arbiter decision d-1234-abcd</Comment>');
    expect(sent[0]!.body).toContain('<Action>UPSERT</Action>');
    expect(sent[0]!.body).not.toContain('DELETE');
    expect(sent[0]!.body.match(/<Change>/g)).toHaveLength(1);

    expect(await reconcile(dns, config, { 'eu-west-1': 'drained' }, 'd-1234-abcd')).toEqual([]);
    expect(handler.count(isChange)).toBe(1);
    expect(await dns.changeStatus(ids[0]!)).toBe('INSYNC');
  });

  it('retries Throttling and PriorRequestNotComplete answers injected at the HTTP layer, then applies', async () => {
    const zoneId = await createWeightedZone(moto, regions, 'retry.example.com.');
    const { dns, handler } = await setupFor(zoneId, 4);
    const config = configFor(zoneId, 'api.retry.example.com');
    handler.rules.push({ match: isChange, times: 1, respond: () => errorXml('Throttling') });
    handler.rules.push({ match: isChange, times: 1, respond: () => errorXml('PriorRequestNotComplete') });
    await reconcile(dns, config, { 'us-east-1': 'drained' }, 'd-retry');
    expect(handler.count(isChange)).toBe(3);
    expect((await weightsIn(moto, zoneId))['api.retry.example.com.|us-east-1']).toBe(0);
  });

  it('reports DnsError prior-request once the bounded attempts run out, and changes nothing', async () => {
    const zoneId = await createWeightedZone(moto, regions, 'giveup.example.com.');
    const { dns, handler } = await setupFor(zoneId, 3);
    const config = configFor(zoneId, 'api.giveup.example.com');
    handler.rules.push({ match: isChange, times: 100, respond: () => errorXml('PriorRequestNotComplete') });
    const thrown = await reconcile(dns, config, { 'us-east-1': 'drained' }, 'd-giveup').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(DnsError);
    expect((thrown as DnsError).code).toBe('prior-request');
    expect(handler.count(isChange)).toBe(3);
    expect((await weightsIn(moto, zoneId))['api.giveup.example.com.|us-east-1']).toBe(100);
  });

  it('waits for INSYNC through PENDING answers (moto is always INSYNC: the PENDING answers are an explicit fake at the HTTP layer)', async () => {
    const zoneId = await createWeightedZone(moto, regions, 'wait.example.com.');
    const { dns, handler } = await setupFor(zoneId, 4);
    const config = configFor(zoneId, 'api.wait.example.com');
    const [changeId] = await reconcile(dns, config, { 'us-east-1': 'drained' }, 'd-wait');
    const pending = { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: `<?xml version="1.0"?>\n<GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/${changeId}</Id><Status>PENDING</Status><SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>` };
    handler.rules.push({ match: isGetChange, times: 2, respond: () => pending });
    let clockMs = 0;
    const waited = await dns.waitInsync(changeId!, { pollMs: 1_000, waitMs: 10_000, nowMs: () => clockMs, sleepMs: async (ms) => { clockMs += ms; } });
    expect(waited).toBe(2_000);
    expect(handler.count(isGetChange)).toBe(3);
    handler.rules.push({ match: isGetChange, times: 100, respond: () => pending });
    clockMs = 0;
    expect(await dns.waitInsync(changeId!, { pollMs: 1_000, waitMs: 3_000, nowMs: () => clockMs, sleepMs: async (ms) => { clockMs += ms; } })).toBeNull();
  });
});

describe('Route53Dns register (compare-and-swap) against moto', () => {
  /** What decide does in protocol v2: read weights and register, plan, send the weights with the register swap. */
  async function casApply(dns: Route53Dns, config: ValidConfig, routing: Routing, decisionId: string, records?: RecordSetView[]) {
    const zone = normaliseZoneId(config.targets[0]!.route53.hostedZoneId);
    const read = records ?? await dns.readRecords(config.targets.map((t) => t.route53), [{ hostedZoneId: zone, name: registerName(zone, config.targets)! }]);
    const shown = appliedFromRoute53(config.targets, read, routingFromRecords(config.targets, read), 1_000);
    const plan = wholeZonePlan(config.targets, routing, read, planRoute(config.targets, routing, read), new Set());
    const swap = nextRegister(zone, config.targets, read, shown, routing, decisionId, 2_000)!;
    return { read, result: await dns.applyChanges(zone, plan.byZone[zone]!, decisionId, swap) };
  }

  /** The driven record's weights by set identifier (the zone also holds a decoy name with the same identifiers). */
  const weightsBySet = async (zoneId: string) => Object.fromEntries(Object.entries(await weightsIn(moto, zoneId)).filter(([k]) => k.startsWith('api.')).map(([k, w]) => [k.split('|')[1]!, w]));

  it('creates the register with the first change, reads it back, and refuses a batch whose register DELETE matches no value it held (conflict), changing nothing', async () => {
    const zoneId = await createWeightedZone(moto, regions, 'cas.example.com.');
    const { dns } = await setupFor(zoneId, 1);
    const config = configFor(zoneId, 'api.cas.example.com');
    const registers = [{ hostedZoneId: zoneId, name: registerName(zoneId, config.targets)! }];
    const before = await dns.readRecords(config.targets.map((t) => t.route53), registers);
    expect(before.filter((r) => r.type === 'TXT')).toEqual([]);

    await casApply(dns, config, { 'eu-west-1': 'drained' }, 'd-first');
    const after = await dns.readRecords(config.targets.map((t) => t.route53), registers);
    const register = after.find((r) => r.type === 'TXT')!;
    expect(register.name).toBe('_arbiter-epoch.api.cas.example.com.');
    expect(decodeRegister(register.resourceRecords![0]!)).toMatchObject({ epoch: 1, decisionId: 'd-first', targets: { 'eu-west-1': { state: 'drained', lastFlipMs: 2_000 } } });
    expect((await weightsBySet(zoneId))['eu-west-1']).toBe(0);

    // A planner whose DELETE names a register value the zone does not hold: the whole batch is refused
    // (conflict) and its weights are not applied. moto 5.2 checks a DELETE against every value the
    // record ever had (its change journal), not only the current one, and does not refuse a CREATE of
    // an existing record: "one change behind" is refused by Route 53 but not by moto, so that case is
    // covered by the simulator's and MemoryDns's models of Route 53, not here.
    await casApply(dns, config, {}, 'd-restore');
    const forgedRead = after.map((r) => (r.type === 'TXT' ? { ...r, resourceRecords: [r.resourceRecords![0]!.replace('e=1 ', 'e=9 ')] } : r));
    const behind = casApply(dns, config, { 'ap-southeast-2': 'drained' }, 'd-behind', forgedRead);
    await expect(behind).rejects.toMatchObject({ code: 'conflict' });
    await expect(behind).rejects.toBeInstanceOf(DnsError);
    const now = await dns.readRecords(config.targets.map((t) => t.route53), registers);
    expect(decodeRegister(now.find((r) => r.type === 'TXT')!.resourceRecords![0]!)).toMatchObject({ epoch: 2, decisionId: 'd-restore' });
    expect(await weightsBySet(zoneId)).toMatchObject({ 'us-east-1': 100, 'eu-west-1': 100, 'ap-southeast-2': 100 });
  });
});
