/**
 * The shape of `arbiter.config.yml`. Shape only: rules that relate fields to each other
 * (unique regions, timeouts below intervals, minServing within the number of targets) live in
 * `validate.ts`, so every problem is reported at once with its path.
 *
 * zod is the one library the core may import: it is pure (no I/O, no clock, no randomness).
 */
import { z } from 'zod';

/** An AWS region name such as `eu-west-1`. */
export const regionSchema = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-west-1');

export const statusRangeSchema = z
  .object({ min: z.number().int().min(100).max(599), max: z.number().int().min(100).max(599) })
  .strict();

export const endpointSchema = z
  .object({
    /** Any URL here; that it is http(s) is a meaning check (validate.ts), so a wrong scheme hides no other problem. */
    url: z.url({ error: 'must be an http(s) URL' }),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    expectStatus: statusRangeSchema.default({ min: 200, max: 299 }),
    /** A substring the first 5,120 bytes of the body must contain (Route 53 reads as much). */
    bodyContains: z.string().min(1).max(255).optional(),
    latencyMsMax: z.number().int().positive().default(1000),
    timeoutMs: z.number().int().positive().default(2000),
    followRedirects: z.boolean().default(false),
  })
  .strict();

/** The fields that name one Route 53 record set (a target's own, or one of its extraRecords). */
const recordFields = {
  hostedZoneId: z.string().regex(/^(\/hostedzone\/)?Z[A-Z0-9]{1,32}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABC'),
  recordName: z.string().min(1).max(253),
  recordType: z.enum(['A', 'AAAA', 'CNAME']),
  setIdentifier: z.string().min(1).max(128),
  /**
   * The record's routing policy. Absent means `weighted`. `weight` mode can drive weighted records
   * only (it changes weights); `health-check` mode drives any of them (Route 53 skips a record
   * whose health check fails, whatever the policy).
   */
  routingPolicy: z.enum(['weighted', 'latency', 'geolocation', 'failover']).optional(),
};

/** One more record a `health-check` target's CALCULATED check is attached to (any zone, type, policy). */
export const extraRecordSchema = z.object(recordFields).strict();

export const route53BindingSchema = z
  .object({
    ...recordFields,
    /** The weight the record carries while the target is serving (0..255). */
    weight: z.number().int().min(1).max(255),
    /**
     * How Arbiter moves this target's traffic (see docs/dataplane.md). Absent means `weight`.
     * - `weight`: Arbiter UPSERTs the record's weight (0 when drained) through ChangeResourceRecordSets,
     *   the Route 53 control plane, which lives in us-east-1 only.
     * - `health-check`: Arbiter never changes the record. At deploy time it creates a CALCULATED
     *   health check per target that you attach to your records (any routing policy); at run time
     *   each observer region votes through a regional data-plane mechanism (`vote`), and the
     *   CALCULATED check fails on those votes (calculatedThreshold). Keeps working while the Route 53
     *   control plane is down.
     */
    mode: z.enum(['weight', 'health-check']).optional(),
    /**
     * `health-check` mode only: how an observer expresses its vote. Absent means `gate`, the only
     * mechanism: a public Lambda function URL per observer region, probed by an HTTPS health check
     * every `dataPlane.checkIntervalSeconds` (a dead observer counts as "no drain"; one live
     * observer's decision fails the CALCULATED check). `metric` (CloudWatch alarms read by
     * CLOUDWATCH_METRIC checks) was removed: Route 53 reads standard-resolution alarms only, so it
     * detected in 75–90 s, behind plain health checks, and could not release a held drain within
     * the detect bound (docs/dataplane.md "Why not metric votes").
     */
    vote: z.enum(['gate'], {
      error: (issue) => (issue.input === 'metric'
        ? 'metric votes were removed: Route 53 reads only standard-resolution alarms (evaluated once a minute), so they detected in 75–90 s and could not release a held drain in time; use vote: gate (the default; docs/dataplane.md "Why not metric votes")'
        : `must be gate (got ${JSON.stringify(issue.input)})`),
    }).optional(),
    /**
     * `health-check` mode only: more records that send traffic to this target (an AAAA beside the A,
     * a latency or geolocation name, an alias); its CALCULATED check goes on each of them too.
     */
    extraRecords: z.array(extraRecordSchema).max(10).optional(),
  })
  .strict();

export const targetSchema = z
  .object({
    region: regionSchema,
    endpoints: z.array(endpointSchema).min(1).max(5),
    route53: route53BindingSchema,
  })
  .strict();

export const probeSchema = z
  .object({
    intervalMs: z.number().int().min(1000).max(60000).default(2000),
    /** Consecutive failures (fast-confirmation probes included) that make a target unhealthy. */
    failureThreshold: z.number().int().min(1).max(10).default(3),
    /**
     * Least time, between the first and the last failing probe sent, before a target is judged
     * unhealthy: a blip shorter than this never is, whatever the thresholds (10 s: an ordinary blip).
     */
    failureMinDurationMs: z.number().int().min(0).max(120000).default(10000),
    /** Consecutive passes that bring an unhealthy target back to healthy. */
    recoveryThreshold: z.number().int().min(1).max(20).default(3),
    /** Extra probes sent at once after a first failure. */
    confirmCount: z.number().int().min(0).max(5).default(2),
    /** Confirmations are pipelined: each is sent this long after the previous one, not after its answer. */
    confirmSpacingMs: z.number().int().min(100).max(10000).default(500),
    /** Latency samples kept per observer and target for the gray-failure quantile. */
    latencyWindowSize: z.number().int().min(3).max(100).default(10),
    latencyQuantile: z.number().gt(0).max(1).default(0.9),
    /** A verdict older than this counts as unknown in a tally. */
    verdictFreshnessMs: z.number().int().min(1000).max(600000).default(60000),
    /** An unchanged verdict is still rewritten this often, so peers can tell it is fresh. */
    verdictRefreshMs: z.number().int().min(1000).max(300000).default(30000),
  })
  .strict();

export const safetySchema = z
  .object({
    minServing: z.number().int().min(1).default(1),
    maxDrained: z.number().int().min(0).optional(),
    /** Least time between two automatic flips of one target (hysteresis). */
    flipCooldownMs: z.number().int().min(0).max(86400000).default(300000),
    /** How long a drained target must be judged healthy by a quorum before automation restores it. */
    recoveryHoldMs: z.number().int().min(0).max(3600000).default(60000),
  })
  .strict();

export const alarmSchema = z
  .object({
    name: z.string().min(1).max(255),
    target: regionSchema,
    /**
     * `confirm`: the alarm makes every observer re-probe the target now and count it as one failure.
     * `indict`: while in ALARM the target is treated as unhealthy by every observer.
     */
    effect: z.enum(['confirm', 'indict']).default('confirm'),
  })
  .strict();

export const drillScheduleSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'must be 1-40 letters, digits or dashes'),
    schedule: z.string().regex(/^(cron\(.+\)|rate\(.+\))$/, 'must be an EventBridge cron(...) or rate(...) expression'),
    target: regionSchema,
    mode: z.enum(['shadow', 'evacuate']),
    holdSeconds: z.number().int().min(30).max(3600).default(300),
  })
  .strict();

/**
 * Where Arbiter's own alarms (function errors, a blind probe loop, dead letters) send notifications.
 * Absent: those alarms only change state. Exactly one of:
 *   topic: create        each observer region's stack creates an SNS topic (subscribe to it yourself)
 *   topicArns: {...}     an existing SNS topic per observer region (an alarm publishes only to a topic in its own region)
 */
export const notificationsSchema = z
  .object({
    topic: z.literal('create').optional(),
    topicArns: z.record(regionSchema, z.string().regex(/^arn:aws[a-z-]*:sns:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)')).optional(),
  })
  .strict();

/** Route 53's health-checker regions (HealthCheckConfig.Regions: at least 3 of these). */
export const healthCheckerRegions = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1'] as const;

/**
 * How Route 53 reads gate votes (`route53.mode: health-check`, `vote: gate`): the trade-off between
 * cost and detection time (README "Data-plane mode").
 *   checkIntervalSeconds  30 (standard, default) or 10 (fast: $1 more per check and month, about 3 × the gate requests)
 *   checkerRegions        the Route 53 checker regions that probe the gates (3 to 8; fewer means fewer gate requests)
 */
export const dataPlaneSchema = z
  .object({
    checkIntervalSeconds: z.union([z.literal(10), z.literal(30)]).default(30),
    checkerRegions: z.array(z.enum(healthCheckerRegions)).min(3).max(8).default(['us-west-2', 'eu-west-1', 'ap-southeast-2']),
  })
  .strict();

export const configSchema = z
  .object({
    version: z.literal(1),
    /** Deployment name; prefixes stack, table and bus names. */
    name: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'must be 2-31 lowercase letters, digits or dashes, starting with a letter'),
    observers: z.array(regionSchema).min(1).max(9),
    /** Two observers make quorum mean unanimity: allowed only when acknowledged. */
    acknowledgeTwoObserverUnanimity: z.boolean().default(false),
    targets: z.array(targetSchema).min(1).max(20),
    probe: probeSchema.default(probeSchema.parse({})),
    safety: safetySchema.default(safetySchema.parse({})),
    overrides: z
      .object({
        ttlSecondsMax: z.number().int().min(60).max(7 * 86400).default(86400),
        operators: z.array(z.string().min(1)).max(100).optional(),
      })
      .strict()
      .default({ ttlSecondsMax: 86400 }),
    alarms: z.array(alarmSchema).max(100).default([]),
    drills: z.array(drillScheduleSchema).max(50).default([]),
    rtoSecondsMax: z.number().int().min(10).max(3600).default(120),
    auditRetentionDays: z.number().int().min(1).max(3650).default(400),
    notifications: notificationsSchema.optional(),
    dataPlane: dataPlaneSchema.default(dataPlaneSchema.parse({})),
  })
  .strict();

export type ArbiterConfigInput = z.input<typeof configSchema>;
export type ArbiterConfig = z.output<typeof configSchema>;
export type EndpointConfig = z.output<typeof endpointSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type Route53Binding = z.output<typeof route53BindingSchema>;
export type ExtraRecord = z.output<typeof extraRecordSchema>;
export type ProbeConfig = z.output<typeof probeSchema>;
export type SafetyConfig = z.output<typeof safetySchema>;
export type AlarmConfig = z.output<typeof alarmSchema>;
export type DrillScheduleConfig = z.output<typeof drillScheduleSchema>;
export type NotificationsConfig = z.output<typeof notificationsSchema>;
