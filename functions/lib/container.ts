/**
 * One observer's wiring, built once per Lambda container: config, SDK clients, adapters and the
 * runtimes. Handlers get it through a provider, so tests can build one per region in one process.
 *
 * Route 53 is used by some functions only (decide, drill, api):
 * its adapter, and the SDK clients under them, loads on its first call, so probe, probeNow,
 * alarm and the gate never load them.
 */
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity } from '@smithy/types';
import { loadConfigFile, formatProblems } from '../../shared/adapters/config/config-file';
import { createDynamoDbClient, DynamoDbStore } from '../../shared/adapters/aws/dynamodb-store';
import { createEventBridgeClient, EventBridgeBus } from '../../shared/adapters/aws/eventbridge-bus';
import { PowertoolsTelemetry } from '../../shared/adapters/aws/powertools-telemetry';
import type { SdkOptions } from '../../shared/adapters/aws/sdk-options';
import { SystemClock } from '../../shared/adapters/aws/system-clock';
import { HttpProber } from '../../shared/adapters/http/http-prober';
import { ConfigurationError, type Clock, type Dns, type Prober, type Telemetry } from '../../shared/ports';
import { DecideRuntime, ProbeRuntime, type ObserverDeps } from '../../shared/runtime';
import { readEnv, type ArbiterEnv } from './env';
import { logger, metrics, tracer } from './powertools';

export interface ObserverContainer {
  env: ArbiterEnv;
  deps: ObserverDeps;
  probe: ProbeRuntime;
  decide: DecideRuntime;
}

/** Seams for tests; Lambda uses none of them. */
export interface ContainerOptions {
  prober?: Prober;
  telemetry?: Telemetry;
  clock?: Clock;
  requestHandler?: NodeHttpHandler;
  credentials?: AwsCredentialIdentity;
}

/**
 * A port whose adapter is built on its first call (every port method is async): the adapter's
 * module, and the SDK it imports, load then and not at cold start.
 * @example const dns = lazyPort<Dns>(async () => new (await import('./route53-dns')).Route53Dns({ client }));
 */
export function lazyPort<T extends object>(build: () => Promise<T>): T {
  let adapter: Promise<T> | undefined;
  return new Proxy({} as T, {
    get: (_target, key) => {
      // Not a thenable, and no symbol protocol: only method calls are forwarded.
      if (typeof key === 'symbol' || key === 'then') return undefined;
      return async (...args: unknown[]) => {
        adapter ??= build();
        const built = await adapter;
        return (built[key as keyof T] as (...a: unknown[]) => unknown).apply(built, args);
      };
    },
  });
}

function sdkFor(env: ArbiterEnv, region: string, options: ContainerOptions): SdkOptions {
  return {
    region,
    ...(env.endpointUrl === undefined ? {} : { endpoint: env.endpointUrl }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.requestHandler === undefined ? {} : { requestHandler: options.requestHandler }),
  };
}

/**
 * Loads the config and builds every adapter. ConfigurationError names what is wrong.
 * @example const container = buildContainer(readEnv(process.env));
 */
export function buildContainer(env: ArbiterEnv, options: ContainerOptions = {}): ObserverContainer {
  const loaded = loadConfigFile(env.configPath);
  if (!loaded.ok) throw new ConfigurationError(`Arbiter config ${env.configPath} (ARBITER_CONFIG_PATH) is invalid:\n${formatProblems(loaded.errors)}`);
  const config = loaded.config;
  if (!config.observers.includes(env.region)) throw new ConfigurationError(`AWS_REGION ${env.region} is not one of the configured observers (${config.observers.join(', ')})`);
  // Clients are built once here and traced (a no-op outside Lambda).
  const store = new DynamoDbStore({ tableName: env.table, config, client: tracer.captureAWSv3Client(createDynamoDbClient(sdkFor(env, env.region, options))) });
  const bus = new EventBridgeBus({ busName: env.bus, client: tracer.captureAWSv3Client(createEventBridgeClient(sdkFor(env, env.region, options))) });
  const dns = lazyPort<Dns>(async () => {
    const { createRoute53Client, Route53Dns, route53Region } = await import('../../shared/adapters/aws/route53-dns');
    return new Route53Dns({ client: tracer.captureAWSv3Client(createRoute53Client(sdkFor(env, route53Region, options))) });
  });
  const deps: ObserverDeps = {
    config,
    observer: env.region,
    clock: options.clock ?? new SystemClock(),
    store,
    bus,
    dns,
    prober: options.prober ?? new HttpProber({ observer: env.region }),
    telemetry: options.telemetry ?? new PowertoolsTelemetry(logger.createChild({ persistentKeys: { observer: env.region, stage: env.stage } }), metrics),
  };
  return { env, deps, probe: new ProbeRuntime(deps), decide: new DecideRuntime(deps) };
}

let cached: ObserverContainer | undefined;

/** The Lambda container's wiring: the environment is read once, on first use (cold start). */
export function lambdaContainer(): ObserverContainer {
  cached ??= buildContainer(readEnv(process.env));
  return cached;
}
