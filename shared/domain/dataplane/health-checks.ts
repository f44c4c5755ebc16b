/**
 * The Route 53 health checks that carry data-plane votes, as plain definitions (the shape of
 * Route 53's HealthCheckConfig). The infrastructure renders them into CloudFormation; the
 * integration tests create them in moto; the simulator evaluates them.
 *
 * Per data-plane target t and observer o, one child check:
 *   gate:   HTTPS on o's gate, path /drain/<t>, Inverted — the gate answers 200 only for a drain
 *           vote, so a gate that is down, slow or wrong counts as "no drain", never as a drain.
 *   metric: CLOUDWATCH_METRIC on the alarm `<name>-vote-<o>-<t>` in region o, which is in ALARM
 *           while o votes drain; InsufficientDataHealthStatus LastKnownStatus, so an observer
 *           that stops writing keeps its last vote.
 * and one CALCULATED check per target over its n children, HealthThreshold = n for gate votes
 * (one live drain vote fails it; a dead gate abstains) and n − quorum + 1 for metric votes
 * (a dead observer's alarm keeps its last vote) — see calculatedThreshold.
 */
import type { TargetConfig, ValidConfig } from '../config';
import type { Region } from '../types';
import { calculatedThreshold, dataPlaneTargets, voteMechanism } from './votes';

/**
 * Checker results in a row that flip a child (Route 53 allows 1..10). One: only a positive 200
 * "drain" makes a checker count the (Inverted) child unhealthy, and the 18 % rule across checkers
 * already absorbs a lost answer; a second answer in a row would add a whole interval to every drain.
 */
export const gateFailureThreshold = 1;
/** How many Route 53 checkers probe from each checker region (an estimate: about 15 over the 8 regions). */
export const checkersPerRegionEstimate = 2;

/** The checks' interval for gate children (`dataPlane.checkIntervalSeconds`). */
export function gateRequestIntervalSeconds(config: ValidConfig): number {
  return config.dataPlane.checkIntervalSeconds;
}

/** About how many checkers probe each gate child: the configured checker regions × checkersPerRegionEstimate. */
export function gateCheckerCount(config: ValidConfig): number {
  return config.dataPlane.checkerRegions.length * checkersPerRegionEstimate;
}
export const gatePort = 443;
/** A gate reuses its last replica read for this long (health checkers probe it every few seconds). */
export const gateAnswerCacheMs = 2_000;
/** The CloudWatch namespace and metric of metric-mode votes (1 = drain, 0 = no drain). */
export const voteMetricNamespace = 'Arbiter/Votes';
export const voteMetricName = 'DrainVote';
/** Standard resolution: alarms on it evaluate once a minute. */
export const voteMetricPeriodSeconds = 60;

export interface GateChildCheck {
  kind: 'gate';
  observer: Region;
  target: Region;
  config: { Type: 'HTTPS'; FullyQualifiedDomainName: string; Port: number; ResourcePath: string; RequestInterval: number; FailureThreshold: number; Inverted: true; EnableSNI: true; Regions: string[] };
}

export interface MetricChildCheck {
  kind: 'metric';
  observer: Region;
  target: Region;
  alarm: VoteAlarmDefinition;
  config: { Type: 'CLOUDWATCH_METRIC'; AlarmIdentifier: { Region: Region; Name: string }; InsufficientDataHealthStatus: 'LastKnownStatus'; Inverted: false };
}

export type ChildCheck = GateChildCheck | MetricChildCheck;

/** The alarm a metric-mode child check reads: ALARM while the observer votes drain. */
export interface VoteAlarmDefinition {
  region: Region;
  AlarmName: string;
  Namespace: string;
  MetricName: string;
  Dimensions: Array<{ Name: string; Value: string }>;
  Statistic: 'Maximum';
  Period: number;
  EvaluationPeriods: 1;
  Threshold: 1;
  ComparisonOperator: 'GreaterThanOrEqualToThreshold';
  /** A silent observer keeps its alarm's state, hence its last vote. */
  TreatMissingData: 'ignore';
}

export interface TargetHealthChecks {
  target: Region;
  children: ChildCheck[];
  /** The CALCULATED check users attach to the target's records. */
  calculated: { Type: 'CALCULATED'; HealthThreshold: number; childCount: number };
}

/** Where each observer's gate answers (function URL host names, known after deploy). */
export type GateHosts = Record<Region, string>;

/** Route 53 reads a CLOUDWATCH_METRIC check's alarm about this often (an estimate; AWS does not publish it). */
export const alarmReadEstimateMs = 30_000;
/** A standard-resolution datapoint becomes visible to its alarm about this late (an estimate). */
export const metricVisibilityEstimateMs = 10_000;

/**
 * Worst-case time from an observer's vote changing to Route 53's child check reflecting it
 * (estimates, not measurements): gate = the gate's cache and FailureThreshold checker rounds;
 * metric = the alarm's period, the datapoint's delay and Route 53's read of the alarm.
 * @example voteReadEstimateMs(config, target) // 32_000 for a gate target at the standard 30 s interval
 */
export function voteReadEstimateMs(config: ValidConfig, target: TargetConfig): number {
  return voteMechanism(target) === 'gate'
    ? gateAnswerCacheMs + gateFailureThreshold * gateRequestIntervalSeconds(config) * 1000
    : voteMetricPeriodSeconds * 1000 + metricVisibilityEstimateMs + alarmReadEstimateMs;
}

/** The alarm name of one observer's vote on one target. */
export function voteAlarmName(config: ValidConfig, observer: Region, target: Region): string {
  return `${config.name}-vote-${observer}-${target}`;
}

/** The CloudWatch dimensions of one vote metric. */
export function voteDimensions(config: ValidConfig, observer: Region, target: Region): Array<{ Name: string; Value: string }> {
  return [{ Name: 'Deployment', Value: config.name }, { Name: 'Observer', Value: observer }, { Name: 'Target', Value: target }];
}

export function voteAlarm(config: ValidConfig, observer: Region, target: Region): VoteAlarmDefinition {
  return {
    region: observer, AlarmName: voteAlarmName(config, observer, target), Namespace: voteMetricNamespace, MetricName: voteMetricName,
    Dimensions: voteDimensions(config, observer, target), Statistic: 'Maximum', Period: voteMetricPeriodSeconds, EvaluationPeriods: 1,
    Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'ignore',
  };
}

/** A gate host as Route 53 takes it: a bare DNS name (no scheme, path or port). */
export function isGateHost(host: string | undefined): host is string {
  return host !== undefined && /^[a-z0-9.-]{1,253}$/.test(host);
}

/** The gate path of a target's drain vote. */
export function gatePath(target: Region): string {
  return `/drain/${target}`;
}

function childCheck(config: ValidConfig, target: TargetConfig, observer: Region, gateHosts: GateHosts): ChildCheck {
  if (voteMechanism(target) === 'metric') {
    const alarm = voteAlarm(config, observer, target.region);
    return { kind: 'metric', observer, target: target.region, alarm, config: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Region: observer, Name: alarm.AlarmName }, InsufficientDataHealthStatus: 'LastKnownStatus', Inverted: false } };
  }
  const host = gateHosts[observer];
  if (!isGateHost(host)) throw new Error(`health checks: no valid gate host for observer ${observer} (got ${JSON.stringify(host)})`);
  return {
    kind: 'gate', observer, target: target.region,
    config: { Type: 'HTTPS', FullyQualifiedDomainName: host, Port: gatePort, ResourcePath: gatePath(target.region), RequestInterval: gateRequestIntervalSeconds(config), FailureThreshold: gateFailureThreshold, Inverted: true, EnableSNI: true, Regions: [...config.dataPlane.checkerRegions] },
  };
}

/**
 * Every health check the data-plane targets need. Throws when a gate-mode target lacks a gate host.
 *
 * @example dataPlaneHealthChecks(config, { 'us-east-1': 'abc.lambda-url.us-east-1.on.aws', ... })[0].calculated.HealthThreshold // → 2 of 3
 */
export function dataPlaneHealthChecks(config: ValidConfig, gateHosts: GateHosts = {}): TargetHealthChecks[] {
  return dataPlaneTargets(config).map((target) => {
    const children = config.observers.map((observer) => childCheck(config, target, observer, gateHosts));
    const threshold = calculatedThreshold(config.observers.length, voteMechanism(target));
    return { target: target.region, children, calculated: { Type: 'CALCULATED', HealthThreshold: threshold, childCount: children.length } };
  });
}
