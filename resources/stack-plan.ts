/**
 * The deployment plan of one Arbiter configuration: one CloudFormation stack per observer region,
 * deployed in `config.observers` order. The FIRST observer is the home region: its stack owns the
 * DynamoDB Global Table (with a replica in every observer region); every other stack references the
 * table by its deterministic name and must therefore be deployed after the home stack, and removed
 * before it. serverless.yml (through serverless-params.js), `arbiter deploy|remove|package` and the
 * infrastructure tests all read names from here.
 */
import type { ValidConfig } from '../shared/domain';

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

export interface DeploymentPlan {
  stage: string;
  service: string;
  tableName: string;
  homeRegion: string;
  /** Deploy order (home first). Remove uses the reverse. */
  stacks: RegionStackPlan[];
  hostedZoneIds: string[];
  alarmNames: string[];
}

const stagePattern = /^[a-z][a-z0-9-]{0,15}$/;

/** Throws a clear error when the stage cannot become part of stack, table and bus names. */
export function assertStage(stage: string): void {
  if (!stagePattern.test(stage)) throw new Error(`stage must be 1-16 lowercase letters, digits or dashes starting with a letter, got ${JSON.stringify(stage)}`);
}

/** Hosted zone ids without the `/hostedzone/` prefix, unique, in config order. */
export function hostedZoneIds(config: ValidConfig): string[] {
  return [...new Set(config.targets.map((t) => t.route53.hostedZoneId.replace(/^\/hostedzone\//, '')))];
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
  const stacks = config.observers.map((region): RegionStackPlan => {
    const peers = config.observers.filter((r) => r !== region);
    const creates = [
      ...(region === homeRegion ? [`DynamoDB Global Table ${tableName} (replicas: ${config.observers.join(', ')}; TTL expiresAt, PITR, deletion protection)`] : [`(references table ${tableName}, created by the ${homeRegion} stack)`]),
      `Lambda functions probe, probeNow, decide, alarm, drill, api (nodejs22.x, arm64)`,
      `EventBridge bus ${tableName} with forwarding rules to ${peers.length === 0 ? 'no peers' : peers.join(', ')} and a dead-letter queue`,
      `schedules: probe and decide every minute${config.drills.length > 0 ? `, drills ${config.drills.map((d) => d.name).join(', ')}` : ''}`,
      alarmNames.length > 0 ? `alarm-state rule for ${alarmNames.join(', ')}` : 'no alarm-state rule (no alarms configured)',
      'HTTP API (AWS_IAM on every route)',
      'CloudWatch alarms: function errors, stale probe heartbeat, dead-letter queue depth',
    ];
    return { region, stackName: tableName, home: region === homeRegion, busName: tableName, peers, creates };
  });
  return { stage, service, tableName, homeRegion, stacks, hostedZoneIds: zones, alarmNames };
}
