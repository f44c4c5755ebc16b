/** A hosted zone with one weighted record per target, as a deployment would have them. */
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, DeleteHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { Moto } from '../../support/moto';

/** Creates a zone with weighted A records `api.<zone>` (weight 100 each) plus a decoy under another name; returns the zone id. */
export async function createWeightedZone(moto: Moto, setIdentifiers: readonly string[], zoneName = 'example.com.'): Promise<string> {
  const client = new Route53Client(moto.clientOptions('us-east-1'));
  try {
    const zoneId = await createZoneWithAwsShapedId(client, zoneName);
    const record = (name: string, id: string, i: number) => ({ Action: 'CREATE' as const, ResourceRecordSet: { Name: name, Type: 'A' as const, SetIdentifier: id, Weight: 100, TTL: 60, ResourceRecords: [{ Value: `192.0.2.${i + 1}` }] } });
    await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [
      ...setIdentifiers.map((id, i) => record(`api.${zoneName}`, id, i)),
      ...setIdentifiers.map((id, i) => record(`decoy.${zoneName}`, id, i)),
    ] } }));
    return zoneId;
  } finally {
    client.destroy();
  }
}

/** moto draws zone ids from A-Z0-9; real ones (and the config schema) start with Z. Attempts per zone: */
export const zoneIdAttemptsMax = 500;

async function createZoneWithAwsShapedId(client: Route53Client, zoneName: string): Promise<string> {
  for (let attempt = 0; attempt < zoneIdAttemptsMax; attempt += 1) {
    const zone = await client.send(new CreateHostedZoneCommand({ Name: zoneName, CallerReference: `ref-${Date.now()}-${attempt}-${Math.random()}` }));
    const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
    if (/^Z[A-Z0-9]{1,32}$/.test(zoneId)) return zoneId;
    await client.send(new DeleteHostedZoneCommand({ Id: zoneId }));
  }
  throw new Error(`moto gave no hosted zone id starting with Z in ${zoneIdAttemptsMax} attempts`);
}

/** The weight of every weighted record in the zone, keyed `name|setIdentifier`. */
export async function weightsIn(moto: Moto, zoneId: string): Promise<Record<string, number | undefined>> {
  const client = new Route53Client(moto.clientOptions('us-east-1'));
  try {
    const out = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 100 }));
    const weights: Record<string, number | undefined> = {};
    for (const set of out.ResourceRecordSets ?? []) if (set.SetIdentifier !== undefined) weights[`${set.Name}|${set.SetIdentifier}`] = set.Weight;
    return weights;
  } finally {
    client.destroy();
  }
}
