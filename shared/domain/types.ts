/**
 * The nouns of Arbiter (see ../../docs and DESIGN.md "Words"). Plain data, serialisable as JSON,
 * so the same values travel through DynamoDB items, EventBridge events and the simulator.
 */

/** An AWS region name; observers and targets are both named by region. */
export type Region = string;

/** Per target: `serving` carries its configured weight, `drained` carries 0. */
export type RoutingState = 'serving' | 'drained';
export type Routing = Record<Region, RoutingState>;

export type VerdictStatus = 'healthy' | 'suspect' | 'unhealthy';

export type ProbeErrorKind = 'timeout' | 'connect' | 'dns' | 'tls' | 'reset' | 'redirect' | 'partitioned' | 'other';

/** One request from one observer to one endpoint, as the prober saw it. */
export interface ProbeResult {
  target: Region;
  endpointIndex: number;
  startedMs: number;
  latencyMs: number;
  /** HTTP status, absent when no answer came. */
  status?: number;
  /** The first bytes of the body (capped by the prober). */
  bodyExcerpt?: string;
  error?: { kind: ProbeErrorKind; message: string };
}

/** A probe result judged against its endpoint's expectations. */
export interface ProbeEvaluation {
  endpointIndex: number;
  pass: boolean;
  /** True when the endpoint answered (its latency is a real sample). */
  answered: boolean;
  latencyMs: number;
  reason: string;
  /** When the probe was sent (prober's clock): failure durations are measured between sends. */
  startedMs?: number;
}

/** One observer's judgement of one target, with the memory its state machine needs. */
export interface TargetVerdict {
  target: Region;
  status: VerdictStatus;
  consecutiveFailures: number;
  consecutivePasses: number;
  /** Latency samples per endpoint, newest last, at most `probe.latencyWindowSize` each. */
  latencySamplesMs: number[][];
  /** The window quantile per endpoint after the last probe, null until enough samples. */
  latencyQuantileMs: Array<number | null>;
  lastLatencyMs: number | null;
  /** When `status` last changed (observer clock). */
  changedMs: number;
  /** When the last probe round for this target finished. */
  probedMs: number;
  /** When the first probe of the current unbroken run of failures was sent (null while passing). */
  failingSinceMs?: number | null;
  /**
   * When the latest passing round was sent. Results arrive out of order (pipelined confirmations,
   * a probe-now invocation beside the loop): a failure sent before it is stale and counts for nothing.
   */
  passedMs?: number | null;
  reason: string;
}

/** Everything one observer currently judges: written only by that observer. */
export interface VerdictSnapshot {
  observer: Region;
  /** Strictly increasing per observer; the newest snapshot wins. */
  seq: number;
  writtenMs: number;
  verdicts: Record<Region, TargetVerdict>;
}

export type OverrideAction = 'drain' | 'serve';

/** An operator's (or a drill's) instruction for a target. Immutable once written. */
export interface Override {
  id: string;
  target: Region;
  action: OverrideAction;
  createdMs: number;
  expiresMs: number;
  reason: string;
  actor: string;
  force: boolean;
  source: 'api' | 'drill';
  drillId?: string;
}

/** The early end of an override: a new immutable item, never an edit of the override. */
export interface OverrideEnd {
  overrideId: string;
  endedMs: number;
  actor: string;
  reason: string;
}

export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

/** A CloudWatch alarm state change, turned into evidence about a target. */
export interface AlarmSignal {
  id: string;
  alarmName: string;
  target: Region;
  state: AlarmState;
  changedMs: number;
}

/** Counts of fresh verdicts for one target across observers. */
export interface Tally {
  target: Region;
  quorum: number;
  healthy: number;
  suspect: number;
  unhealthy: number;
  unknown: number;
  /** Each configured observer's fresh verdict, or `unknown` (missing or stale). */
  byObserver: Record<Region, VerdictStatus | 'unknown'>;
}

export type ProposalCause =
  | 'healthy'
  | 'quorum-unhealthy'
  | 'alarm'
  | 'override'
  | 'forced-override'
  | 'recovery-hold'
  | 'no-quorum'
  | 'cooldown'
  | 'safety-refused'
  | 'safety-restore'
  | 'released';

export type SafetyRule = 'minServing' | 'maxDrained';

/** An automatic action a safety rule would not allow: recorded, alerted, never thrown. */
export interface Refusal {
  target: Region;
  rule: SafetyRule;
  message: string;
}

export interface TargetProposal {
  target: Region;
  state: RoutingState;
  cause: ProposalCause;
  reason: string;
  tally: Tally;
  /** Since when a quorum has judged this target healthy without a break; null when not. */
  healthyQuorumSinceMs: number | null;
  overrideId: string | null;
  /**
   * The state this observer saw applied when it proposed. A vote to change a target counts only
   * against that same state: a stale "keep drained" must not read as "drain again" once a newer
   * decision restored the target. Absent in proposals written before this field existed.
   */
  fromState?: RoutingState;
  /**
   * When the decision that gave `fromState` was made (the applied record's lastFlipMs): the order a
   * peer's settle rule compares its own drains against (vote-settle.ts). Null when never flipped;
   * absent in proposals written before this field existed.
   */
  fromSinceMs?: number | null;
  /**
   * By when this observer's gate answered from `fromState` (policy/proposal.ts fromStateOf: its own
   * record's write time, or its pass time for a peer's record, carried from proposal to proposal):
   * a restore it learned late still settles from here. Absent in proposals written before this field.
   */
  fromSeenMs?: number | null;
  /**
   * Data plane: this proposal drains the target on a quorum's verdicts, no gate is known to have
   * voted that drain yet, and this observer's own latest probe round of it passed. Its gate does not
   * begin voting the drain then (vote-settle.ts): a vote that begins late, after a release settled,
   * would otherwise drain a target whose fault has just ended, on verdicts that have not yet counted
   * the recoveryThreshold passes (the weight-mode send holds on the same evidence). Absent otherwise.
   */
  ownRoundPassed?: true;
}

/** What a proposal says of a target as remembered: its vote and the applied state it was made over. */
export type FromStateVote = Pick<TargetProposal, 'state' | 'cause' | 'fromState' | 'fromSinceMs' | 'fromSeenMs'>;

/** A peer's proposal as another observer remembers it: its votes only. */
export interface PeerVote {
  seq: number;
  createdMs: number;
  configHash?: string;
  fromEpoch?: number;
  targets: Record<Region, FromStateVote>;
}

/** One observer's desired routing state for all targets. Written only by that observer. */
export interface Proposal {
  observer: Region;
  seq: number;
  createdMs: number;
  /** The config it was made under (configHash); a proposal made under another config does not vote. Absent before v2. */
  configHash?: string;
  /**
   * Route 53's change count (AppliedDecision.epoch) of the applied state it was made against. A vote
   * to change a target counts only against that same state: `fromState` alone cannot tell "serving
   * before the drain" from "serving again after the restore" (A→B→A). Absent before v2.
   */
  fromEpoch?: number;
  /**
   * The verdicts it was computed from, per observer (policy/memory.ts: the next pass starts from them).
   * `failedMs`: the targets whose latest round failed, and when that round was probed (a late drain
   * counts peers' failed rounds since its confirming probe; a status alone may be a recovery not yet
   * confirmed). Absent in proposals written before it.
   */
  evidence?: Record<Region, { seq: number; writtenMs: number; seenMs?: number; statuses: Record<Region, VerdictStatus>; failedMs?: Record<Region, number> }>;
  /** The peers' newest proposals its writer knew when it decided (policy/memory.ts). */
  peers?: Record<Region, PeerVote>;
  /** Ends of overrides still unexpired that its writer knew (policy/memory.ts): an ended override never comes back. */
  overrideEnds?: OverrideEnd[];
  targets: Record<Region, TargetProposal>;
  refusals: Refusal[];
  /**
   * Data plane: the drains this observer's gate has voted (target → the time its gate is known to
   * have voted it by: the first pass that saw it voted, carried while it stays voted), as its last
   * pass computed them (vote-settle.ts). A drain Route 53 may have read is never withheld again while
   * it lasts: withdrawing it would restore the target. The earliest of these times across observers
   * anchors the restore's cooldown (drainVotedMs). Absent when none.
   */
  votedDrains?: Record<Region, number>;
}

/** A routing state a quorum of proposals agree on. */
export interface Decision {
  id: string;
  decidedMs: number;
  routing: Routing;
  /** Per target, the observers whose proposals formed its quorum (empty where the last state was kept). */
  supporters: Record<Region, Region[]>;
  /** Targets whose state differs from the last applied decision. */
  changed: Region[];
  /** Changes a safety rule held back even though a quorum proposed them. */
  refusals: Refusal[];
}

/** What an observer applied to Route 53 (or found already there). Written only by that observer. */
export interface AppliedDecision {
  observer: Region;
  decisionId: string;
  decidedMs: number;
  appliedMs: number;
  routing: Routing;
  changeId: string | null;
  /** When each target last changed state, carried forward decision to decision (hysteresis). */
  lastFlipMs: Record<Region, number | null>;
  /** When each target was last restored (route-flap dampening). Absent in records written before it existed. */
  lastRestoreMs?: Record<Region, number | null>;
  /**
   * How many changes Route 53's registers had counted once this state was applied (the sum of every
   * zone's register epoch): orders applied records without trusting any clock. Absent before v2.
   */
  epoch?: number;
  /**
   * The bound records and registers as this decision left them in Route 53 (exactly as sent): a later
   * pass can plan its compare-and-swap from them without reading Route 53 first; if they are stale,
   * the batch is refused and the pass reads. Absent before v2.
   */
  route53?: RecordSetView[];
}

/** One weighted record set as Route 53 holds it. */
export interface RecordSetView {
  hostedZoneId: string;
  name: string;
  type: string;
  setIdentifier: string;
  weight: number | null;
  ttl?: number;
  resourceRecords?: string[];
  aliasTarget?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth: boolean };
  healthCheckId?: string;
}
