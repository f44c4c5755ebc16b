import type { RecordSetView, Route53Binding, RouteChange } from '../domain';

export type ChangeStatus = 'PENDING' | 'INSYNC';

/** The Route 53 control plane, as the runtime needs it. */
export interface Dns {
  /** The weighted record sets named by the bindings (bounded pages). */
  readRecords(bindings: readonly Route53Binding[]): Promise<RecordSetView[]>;
  /** One change batch for one zone, UPSERT only, tagged with the decision id. DnsError on failure. */
  applyChanges(hostedZoneId: string, changes: readonly RouteChange[], decisionId: string): Promise<{ changeId: string }>;
  changeStatus(changeId: string): Promise<ChangeStatus>;
}
