import type { RecordSetView, RegisterSwap, Route53Binding, RouteChange } from '../domain';

export type ChangeStatus = 'PENDING' | 'INSYNC';

/** A register record to read beside the bound records (see domain/route-plan/register.ts). */
export interface RegisterRef {
  hostedZoneId: string;
  name: string;
}

/** The Route 53 control plane, as the runtime needs it. */
export interface Dns {
  /** The record sets named by the bindings, and the register records named (bounded pages). */
  readRecords(bindings: readonly Route53Binding[], registers?: readonly RegisterRef[]): Promise<RecordSetView[]>;
  /**
   * One change batch for one zone, tagged with the decision id: the weights (UPSERT) and, when
   * given, the register swap (an exact DELETE of the record read, then a CREATE), all or nothing.
   * DnsError on failure; code `conflict` when the register no longer holds what was read.
   */
  applyChanges(hostedZoneId: string, changes: readonly RouteChange[], decisionId: string, register?: RegisterSwap): Promise<{ changeId: string }>;
  changeStatus(changeId: string): Promise<ChangeStatus>;
}
