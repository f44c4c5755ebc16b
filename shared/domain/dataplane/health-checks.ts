/**
 * The Route 53 health checks that carry data-plane votes, as plain definitions (the shape of
 * Route 53's HealthCheckConfig). The infrastructure renders them into CloudFormation; the
 * integration tests create them in moto; the simulator evaluates them.
 *
 * Per data-plane target t and observer o, one child check: HTTPS on o's gate, path /drain/<t>,
 * Inverted — the gate answers 200 only for a drain vote, so a gate that is down, slow or wrong
 * counts as "no drain", never as a drain; and one CALCULATED check per target over its n
 * children, HealthThreshold = n (one live drain vote fails it; a dead gate abstains) — see
 * calculatedThreshold.
 */
import type { TargetConfig, ValidConfig } from '../config';
import type { Region } from '../types';
import { calculatedThreshold, dataPlaneTargets } from './votes';

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

export interface GateChildCheck {
  kind: 'gate';
  observer: Region;
  target: Region;
  config: { Type: 'HTTPS'; FullyQualifiedDomainName: string; Port: number; ResourcePath: string; RequestInterval: number; FailureThreshold: number; Inverted: true; EnableSNI: true; Regions: string[] };
}

export type ChildCheck = GateChildCheck;

export interface TargetHealthChecks {
  target: Region;
  children: ChildCheck[];
  /** The CALCULATED check users attach to the target's records. */
  calculated: { Type: 'CALCULATED'; HealthThreshold: number; childCount: number };
}

/** Where each observer's gate answers (function URL host names, known after deploy). */
export type GateHosts = Record<Region, string>;

/**
 * Worst-case time from an observer's vote changing to Route 53's child check reflecting it (an
 * estimate, not a measurement): the gate's cache and FailureThreshold checker rounds.
 * @example voteReadEstimateMs(config) // 32_000 at the standard 30 s interval
 */
export function voteReadEstimateMs(config: ValidConfig): number {
  return gateAnswerCacheMs + gateFailureThreshold * gateRequestIntervalSeconds(config) * 1000;
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
 * @example dataPlaneHealthChecks(config, { 'us-east-1': 'abc.lambda-url.us-east-1.on.aws', ... })[0].calculated.HealthThreshold // → 3 of 3
 */
export function dataPlaneHealthChecks(config: ValidConfig, gateHosts: GateHosts = {}): TargetHealthChecks[] {
  return dataPlaneTargets(config).map((target) => {
    const children = config.observers.map((observer) => childCheck(config, target, observer, gateHosts));
    const threshold = calculatedThreshold(config.observers.length);
    return { target: target.region, children, calculated: { Type: 'CALCULATED', HealthThreshold: threshold, childCount: children.length } };
  });
}
