/**
 * The deployment plan of one Arbiter configuration: one CloudFormation stack per observer region,
 * deployed in `config.observers` order. The FIRST observer is the home region: its stack owns the
 * DynamoDB Global Table (with a replica in every observer region); every other stack references the
 * table by its deterministic name and must therefore be deployed after the home stack, and removed
 * before it. serverless.yml (through serverless-params.js), `arbiter deploy|remove|package` and the
 * infrastructure tests all read names from here.
 */
import { dataPlaneTargets, registerPrefix, voteMechanism, weightTargets, type ValidConfig } from '../shared/domain';

export interface RegionStackPlan {
  region: string;
  stackName: string;
  /** Deployed first, removed last; owns the Global Table. */
  home: boolean;
  /** This region's Arbiter event bus (same name in every region). */
  busName: string;
  /** Every other observer region, in config order. */
  peers: string[];
  creates: string[];
}

/**
 * Data-plane mode only: the deployment-wide stack of Route 53 health checks, deployed in the home
 * region after every region stack (its child checks need every region's gate host), removed first.
 */
export interface HealthCheckStackPlan {
  region: string;
  stackName: string;
  /** The data-plane targets, each with one CALCULATED check over one child per observer. */
  targets: Array<{ region: string; vote: 'gate' }>;
}

export interface DeploymentPlan {
  stage: string;
  service: string;
  tableName: string;
  homeRegion: string;
  /** Deploy order (home first). Remove uses the reverse. */
  stacks: RegionStackPlan[];
  hostedZoneIds: string[];
  alarmNames: string[];
  /** null without data-plane (route53.mode: health-check) targets. */
  healthChecks: HealthCheckStackPlan | null;
}

const stagePattern = /^[a-z][a-z0-9-]{0,15}$/;

/** A CloudFormation logical id from a name: `vote-eu-west-1` → `VoteEuWest1`. */
export const logicalId = (text: string) => text.replace(/(^|[^A-Za-z0-9])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');

/** Throws a clear error when the stage cannot become part of stack, table and bus names. */
export function assertStage(stage: string): void {
  if (!stagePattern.test(stage)) throw new Error(`stage must be 1-16 lowercase letters, digits or dashes starting with a letter, got ${JSON.stringify(stage)}`);
}

/** Hosted zone ids without the `/hostedzone/` prefix, unique, in config order. */
export function hostedZoneIds(config: ValidConfig): string[] {
  return [...new Set(config.targets.map((t) => t.route53.hostedZoneId.replace(/^\/hostedzone\//, '')))];
}

/**
 * The per-zone register the apply protocol replaces in the same change batch as the weights
 * (DELETE + CREATE, a compare-and-swap; shared/domain/route-plan/register.ts): `_arbiter-epoch.<recordName>`
 * TXT, after the zone's first bound name. Every driven name is allowed, so the scope holds whichever it is.
 */
export const epochRecordPrefix = registerPrefix;
export const epochRecordType = 'TXT';

/** What decide may change in one hosted zone: these names, these types, these actions, nothing else. */
export interface RecordWriteScope {
  hostedZoneId: string;
  /** Normalized as IAM compares them (route53:ChangeResourceRecordSetsNormalizedRecordNames). */
  recordNames: string[];
  recordTypes: string[];
}

export const recordWriteActions = ['CREATE', 'DELETE', 'UPSERT'] as const;

/**
 * A record name as IAM's `route53:ChangeResourceRecordSetsNormalizedRecordNames` holds it:
 * lowercase, no trailing dot, any character other than a-z 0-9 - _ . as a three-digit octal escape.
 * @example normalizeRecordName('*.API.example.com.') // → '\\052.api.example.com'
 */
export function normalizeRecordName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '').replace(/[^a-z0-9\-_.]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/**
 * The records Arbiter drives through the Route 53 control plane, per zone: the weight-mode
 * targets' records and their epoch TXT records. Health-check-mode targets are moved by health
 * checks only, so a zone holding only those gets no scope (and no write permission).
 * @example recordWriteScopes(config) // [{ hostedZoneId: 'Z1', recordNames: ['_arbiter-epoch.api.example.com', 'api.example.com'], recordTypes: ['A', 'TXT'] }]
 */
export function recordWriteScopes(config: ValidConfig): RecordWriteScope[] {
  const byZone = new Map<string, { names: Set<string>; types: Set<string> }>();
  for (const { route53 } of weightTargets(config)) {
    const zone = route53.hostedZoneId.replace(/^\/hostedzone\//, '');
    const scope = byZone.get(zone) ?? { names: new Set<string>(), types: new Set<string>([epochRecordType]) };
    const name = normalizeRecordName(route53.recordName);
    scope.names.add(name).add(`${epochRecordPrefix}${name}`);
    scope.types.add(route53.recordType);
    byZone.set(zone, scope);
  }
  return [...byZone].map(([hostedZoneId, s]) => ({ hostedZoneId, recordNames: [...s.names].sort(), recordTypes: [...s.types].sort() }));
}

/**
 * Builds the plan.
 * @example planDeployment(config, 'prod').stacks.map((s) => s.region) // ['us-east-1', 'eu-west-1', 'ap-southeast-2']
 */
export function planDeployment(config: ValidConfig, stage: string): DeploymentPlan {
  assertStage(stage);
  const service = `arbiter-${config.name}`;
  const tableName = `${service}-${stage}`;
  const homeRegion = config.observers[0]!;
  const zones = hostedZoneIds(config);
  const alarmNames = config.alarms.map((a) => a.name);
  const votes = dataPlaneTargets(config).map((t) => ({ region: t.region, vote: voteMechanism(t) }));
  const gateTargets = votes.map((t) => t.region);
  const stacks = config.observers.map((region): RegionStackPlan => {
    const peers = config.observers.filter((r) => r !== region);
    const creates = [
      ...(region === homeRegion ? [`DynamoDB Global Table ${tableName} (replicas: ${config.observers.join(', ')}; TTL expiresAt, PITR, deletion protection)`] : [`(references table ${tableName}, created by the ${homeRegion} stack)`]),
      `Lambda functions probe, probeNow, decide, alarm, drill, api (nodejs22.x, arm64)`,
      `EventBridge bus ${tableName} (only Arbiter's roles may publish) with forwarding rules to ${peers.length === 0 ? 'no peers' : peers.join(', ')} and a dead-letter queue`,
      `schedules: probe and decide every minute${config.drills.length > 0 ? `, drills ${config.drills.map((d) => d.name).join(', ')}` : ''}`,
      alarmNames.length > 0 ? `alarm-state rule for ${alarmNames.join(', ')}` : 'no alarm-state rule (no alarms configured)',
      'HTTP API (AWS_IAM on every route, throttled, access-logged)',
      `CloudWatch alarms: function errors, stale probe heartbeat, dead-letter queue depth${config.notifications === undefined ? '' : config.notifications.topic === 'create' ? ', notifying a topic this stack creates' : ', notifying the configured topic'}`,
      ...(gateTargets.length > 0 ? [`data-plane gate (public function URL, answers /drain/<target>) for ${gateTargets.join(', ')}`] : []),
    ];
    return { region, stackName: tableName, home: region === homeRegion, busName: tableName, peers, creates };
  });
  const healthChecks = votes.length === 0 ? null : { region: homeRegion, stackName: `${tableName}-health-checks`, targets: votes };
  return { stage, service, tableName, homeRegion, stacks, hostedZoneIds: zones, alarmNames, healthChecks };
}
