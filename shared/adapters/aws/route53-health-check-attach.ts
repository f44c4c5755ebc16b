/**
 * Deploy-time only (`arbiter deploy --attach-health-checks`): attaches a data-plane target's
 * CALCULATED health check to the record it binds, whatever its routing policy (weighted, latency,
 * geolocation, failover) and type (A, AAAA, CNAME, alias). This is a control-plane call made once
 * at deploy time, never on the recovery path.
 *
 *   ListResourceRecordSets from (name, type) ─▶ the set with that SetIdentifier
 *     ─▶ UPSERT of the same set with HealthCheckId added (every other field kept as read)
 *
 * A record that is not there, or that already carries another health check, is an error naming it;
 * nothing is changed then. Re-attaching the same id changes nothing.
 */
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, type ResourceRecordSet, type Route53Client } from '@aws-sdk/client-route-53';
import type { ExtraRecord } from '../../domain';

/** What attaching needs of a binding: the record (a target's own, or one of its extraRecords). */
export type BoundRecord = ExtraRecord;
import { ArbiterError } from '../../ports';
import { dnsErrorFrom, recordSetsPageSizeMax } from './route53-dns';

export type AttachOutcome = 'attached' | 'already-attached';

/** The record a binding names, as Route 53 compares names: lower case, with the final dot. */
function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function zoneId(id: string): string {
  return id.replace(/^\/hostedzone\//, '');
}

/** Route 53 lists `*` as `\052`; the rest of a name is compared as written. */
function listedName(name: string | undefined): string {
  return fqdn((name ?? '').replace(/\\052/g, '*'));
}

/** Finds the bound record set (one page from the binding's name and type is enough: sets sort by name, type, id). */
async function findRecordSet(client: Route53Client, binding: BoundRecord): Promise<ResourceRecordSet> {
  const name = fqdn(binding.recordName);
  let out;
  try {
    out = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId(binding.hostedZoneId), StartRecordName: name, StartRecordType: binding.recordType, MaxItems: recordSetsPageSizeMax }));
  } catch (error) {
    throw dnsErrorFrom('ListResourceRecordSets', error);
  }
  const found = (out.ResourceRecordSets ?? []).find((s) => listedName(s.Name) === name && s.Type === binding.recordType && (s.SetIdentifier ?? '') === binding.setIdentifier);
  if (found === undefined) throw new ArbiterError(`no ${binding.recordType} record ${name} with SetIdentifier ${binding.setIdentifier} in zone ${zoneId(binding.hostedZoneId)}: create it first (any routing policy), then attach`);
  return found;
}

/**
 * Attaches `healthCheckId` to the binding's record.
 * @example await attachHealthCheck(client, target.route53, 'a1b2…') // → 'attached'
 */
export async function attachHealthCheck(client: Route53Client, binding: BoundRecord, healthCheckId: string): Promise<AttachOutcome> {
  const set = await findRecordSet(client, binding);
  if (set.HealthCheckId === healthCheckId) return 'already-attached';
  if (set.HealthCheckId !== undefined) {
    throw new ArbiterError(`${fqdn(binding.recordName)} ${binding.recordType} (set ${binding.setIdentifier}) already carries health check ${set.HealthCheckId}: detach it or combine it with ${healthCheckId} yourself (a record takes one health check)`);
  }
  try {
    await client.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId(binding.hostedZoneId),
      ChangeBatch: { Comment: 'arbiter deploy: attach the data-plane CALCULATED health check', Changes: [{ Action: 'UPSERT', ResourceRecordSet: { ...set, HealthCheckId: healthCheckId } }] },
    }));
  } catch (error) {
    throw dnsErrorFrom('ChangeResourceRecordSets', error);
  }
  return 'attached';
}
