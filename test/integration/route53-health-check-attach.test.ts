/**
 * `arbiter deploy --attach-health-checks` against moto's Route 53: a data-plane target's CALCULATED
 * check is attached to its record whatever the routing policy and type, keeping every other field.
 */
import { ChangeResourceRecordSetsCommand, CreateHealthCheckCommand, CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { attachHealthCheck } from '../../shared/adapters/aws/route53-health-check-attach';
import type { Route53Binding } from '../../shared/domain';
import { startMoto, type Moto } from '../support/moto';

let moto: Moto;
let client: Route53Client;
let zoneId: string;

/** One record of each routing policy the seeds use, and each type (A, AAAA, CNAME, alias). */
function recordsOf(zone: string): ResourceRecordSet[] {
  return [
    { Name: 'api.example.com.', Type: 'A', SetIdentifier: 'weighted-eu', Weight: 100, TTL: 60, ResourceRecords: [{ Value: '192.0.2.10' }] },
    { Name: 'api6.example.com.', Type: 'AAAA', SetIdentifier: 'latency-eu', Region: 'eu-west-1', TTL: 60, ResourceRecords: [{ Value: '2001:db8::10' }] },
    { Name: 'www.example.com.', Type: 'CNAME', SetIdentifier: 'geo-eu', GeoLocation: { ContinentCode: 'EU' }, TTL: 60, ResourceRecords: [{ Value: 'eu.origin.example.net' }] },
    { Name: 'app.example.com.', Type: 'A', SetIdentifier: 'primary', Failover: 'PRIMARY', AliasTarget: { HostedZoneId: zone, DNSName: 'api.example.com.', EvaluateTargetHealth: false } },
  ];
}

const bindingOf = (set: ResourceRecordSet): Route53Binding => ({ hostedZoneId: zoneId, recordName: set.Name!, recordType: set.Type as Route53Binding['recordType'], setIdentifier: set.SetIdentifier!, weight: 100, mode: 'health-check' });

async function listed(): Promise<ResourceRecordSet[]> {
  return (await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets ?? [];
}

async function newCalculatedCheck(reference: string): Promise<string> {
  const out = await client.send(new CreateHealthCheckCommand({ CallerReference: reference, HealthCheckConfig: { Type: 'CALCULATED', HealthThreshold: 3, ChildHealthChecks: [] } }));
  return out.HealthCheck!.Id!;
}

beforeAll(async () => {
  moto = await startMoto();
  client = new Route53Client(moto.clientOptions('us-east-1'));
  const zone = await client.send(new CreateHostedZoneCommand({ Name: 'example.com.', CallerReference: `attach-${Date.now()}` }));
  zoneId = zone.HostedZone!.Id!.replace(/^\/hostedzone\//, '');
  await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: recordsOf(zoneId).map((r) => ({ Action: 'CREATE', ResourceRecordSet: r })) } }));
});
afterAll(async () => {
  await moto?.stop();
});

describe('attachHealthCheck (moto Route 53)', () => {
  it.each(recordsOf('Z').map((r) => [`${r.Type} ${r.Weight !== undefined ? 'weighted' : r.Region !== undefined ? 'latency' : r.GeoLocation !== undefined ? 'geolocation' : 'failover alias'}`, r.SetIdentifier!] as const))(
    'attaches the check to a %s record and keeps every other field', async (_label, setIdentifier) => {
      const before = (await listed()).find((s) => s.SetIdentifier === setIdentifier)!;
      const id = await newCalculatedCheck(`attach-${setIdentifier}`);
      expect(await attachHealthCheck(client, bindingOf(before), id)).toBe('attached');
      const after = (await listed()).find((s) => s.SetIdentifier === setIdentifier)!;
      expect(after).toEqual({ ...before, HealthCheckId: id });
      expect(await attachHealthCheck(client, bindingOf(before), id)).toBe('already-attached');
    },
  );

  it('refuses a record that carries another health check, and changes nothing', async () => {
    const set = (await listed()).find((s) => s.SetIdentifier === 'weighted-eu')!;
    const other = await newCalculatedCheck('attach-other');
    await expect(attachHealthCheck(client, bindingOf(set), other)).rejects.toThrow(/already carries health check .*\(a record takes one health check\)/);
    expect((await listed()).find((s) => s.SetIdentifier === 'weighted-eu')!.HealthCheckId).toBe(set.HealthCheckId);
  });

  it('names the record that is not there (name, type, SetIdentifier, zone)', async () => {
    const missing: Route53Binding = { hostedZoneId: zoneId, recordName: 'API.example.com', recordType: 'A', setIdentifier: 'nowhere', weight: 100, mode: 'health-check' };
    await expect(attachHealthCheck(client, missing, 'x')).rejects.toThrow(`no A record api.example.com. with SetIdentifier nowhere in zone ${zoneId}`);
  });
});
