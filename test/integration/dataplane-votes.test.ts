/**
 * Data-plane mode against moto: the health checks Arbiter defines, the decide pass recording a
 * voted drain without any Route 53 change, and the gate handler over DynamoDB.
 *
 * moto answers a fixed health-check status and never probes a gate, so what Route 53 would
 * conclude from the gates is covered by the simulator (sim/dataplane) and the domain tests.
 */
import { CreateHealthCheckCommand, GetHealthCheckCommand, Route53Client, type HealthCheckConfig } from '@aws-sdk/client-route-53';
import { createGateHandler } from '../../functions/gate';
import { logger } from '../../functions/lib/powertools';
import { dataPlaneHealthChecks, validateConfig, type ArbiterConfigInput, type ChildCheck, type ValidConfig } from '../../shared/domain';
import { configInput, regions } from '../support/fixtures';
import { startMoto, type Moto } from '../support/moto';
import { proposalWanting, snapshotOf } from '../unit/support/core-builders';
import { createRegion, writeConfig, type RegionWorld } from './support/world';

/** moto starts in about 1 s, far slower on a loaded 2-core machine; each test makes a few dozen calls. */
const testTimeoutMs = 60_000;
jest.setTimeout(testTimeoutMs);

/** Every target votes through the gates (ap-southeast-2 says so, the others leave `vote` at its default). */
function dataPlaneInput(): ArbiterConfigInput {
  // Mechanics, not detection timing: no minimum failure duration.
  const input = configInput({ probe: { failureMinDurationMs: 0 } });
  input.targets = input.targets.map((t) => ({ ...t, route53: { ...t.route53, mode: 'health-check' as const, ...(t.region === 'ap-southeast-2' ? { vote: 'gate' as const } : {}) } }));
  // Two drained at once, so the gate test can drain eu-west-1 after the decide test drained ap-southeast-2.
  return { ...input, safety: { minServing: 1, maxDrained: 2 } as never };
}

function validated(input: ArbiterConfigInput): ValidConfig {
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

const gateHosts = Object.fromEntries(regions.map((r) => [r, `gate-${r}.lambda-url.${r}.on.aws`]));
const config = validated(dataPlaneInput());
let moto: Moto;
let world: RegionWorld;
let route53: Route53Client;

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  moto = await startMoto();
  route53 = new Route53Client(moto.clientOptions('us-east-1'));
  world = await createRegion(moto, 'eu-west-1', writeConfig(dataPlaneInput()));
});
afterAll(async () => {
  world?.queue.destroy();
  route53?.destroy();
  await moto?.stop();
});

/** Creates a child check in moto, as the deployment would, and returns its id. */
async function createChild(child: ChildCheck, reference: string): Promise<string> {
  const out = await route53.send(new CreateHealthCheckCommand({ CallerReference: reference, HealthCheckConfig: child.config as HealthCheckConfig }));
  return out.HealthCheck!.Id!;
}

describe('data-plane health checks in moto', () => {
  it('creates one Inverted HTTPS child per observer and a CALCULATED parent that needs every child healthy (3 of 3)', async () => {
    const checks = dataPlaneHealthChecks(config, gateHosts);
    const gateTarget = checks.find((c) => c.target === 'eu-west-1')!;
    const childIds: string[] = [];
    for (const child of gateTarget.children) childIds.push(await createChild(child, `it-gate-${child.observer}`));
    const parent = await route53.send(new CreateHealthCheckCommand({
      CallerReference: 'it-calculated-eu-west-1',
      HealthCheckConfig: { Type: 'CALCULATED', HealthThreshold: gateTarget.calculated.HealthThreshold, ChildHealthChecks: childIds },
    }));
    const readBack = await route53.send(new GetHealthCheckCommand({ HealthCheckId: parent.HealthCheck!.Id! }));
    expect(readBack.HealthCheck!.HealthCheckConfig).toMatchObject({ Type: 'CALCULATED', HealthThreshold: 3, ChildHealthChecks: childIds });
    const child = await route53.send(new GetHealthCheckCommand({ HealthCheckId: childIds[1]! }));
    expect(child.HealthCheck!.HealthCheckConfig).toMatchObject({ Type: 'HTTPS', FullyQualifiedDomainName: 'gate-eu-west-1.lambda-url.eu-west-1.on.aws', ResourcePath: '/drain/eu-west-1', RequestInterval: 30, FailureThreshold: 1, Inverted: true, Regions: ['us-west-2', 'eu-west-1', 'ap-southeast-2'] });
  });

});

describe('data-plane votes from the decide pass (moto DynamoDB)', () => {
  it('records a drain a quorum backs as applied without any Route 53 change, and the region gate then answers drain', async () => {
    const nowMs = Date.now();
    const { store } = world.container.deps;
    await store.putProposal(proposalWanting(config, 'us-east-1', { 'ap-southeast-2': 'drained' }, nowMs));
    await store.putProposal(proposalWanting(config, 'ap-southeast-2', { 'ap-southeast-2': 'drained' }, nowMs));
    // The deciding observer's own proposal must back the drain (protocol v2): it sees the quorum's verdicts too.
    for (const observer of regions) await store.putSnapshot(snapshotOf(observer, { 'us-east-1': 'healthy', 'eu-west-1': 'healthy', 'ap-southeast-2': 'unhealthy' }, nowMs));
    const outcome = await world.container.decide.run();
    expect(outcome.decision.routing['ap-southeast-2']).toBe('drained');
    expect(outcome.changeIds).toEqual([]);
    expect(outcome.applied?.routing['ap-southeast-2']).toBe('drained');
    const gate = createGateHandler(() => world.container);
    const urlEvent = (rawPath: string) => ({ version: '2.0', rawPath, requestContext: { requestId: 'gate-after-decide', http: { method: 'GET' } } });
    expect(await gate(urlEvent('/drain/ap-southeast-2'))).toMatchObject({ statusCode: 200, body: 'drain' });
    expect(await gate(urlEvent('/drain/us-east-1'))).toMatchObject({ statusCode: 404, body: 'no-drain' });
  });
});

describe('gate handler over moto DynamoDB', () => {
  const gate = createGateHandler(() => world.container);
  /** The fields of a function-URL event the gate reads (version 2.0, a request id, method and path). */
  const urlEvent = (rawPath: string, method = 'GET') => ({ version: '2.0', rawPath, requestContext: { requestId: 'gate-test', http: { method } } });
  const request = (rawPath: string, method = 'GET') => gate(urlEvent(rawPath, method));

  it('answers 200 "drain" for a target a quorum of fresh proposals (its own among them) drains, 404 for the others, and says nothing else', async () => {
    const nowMs = Date.now();
    const { store } = world.container.deps;
    // Above whatever this observer's decide passes above wrote (the deciding pass writes again to record its gate's votes).
    const ownSeq = (await store.readView(nowMs)).proposals.find((p) => p.observer === 'eu-west-1')?.seq ?? 0;
    await store.putProposal(proposalWanting(config, 'eu-west-1', { 'eu-west-1': 'drained' }, nowMs, ownSeq + 1));
    await store.putProposal(proposalWanting(config, 'ap-southeast-2', { 'eu-west-1': 'drained' }, nowMs, 2));
    const fresh = createGateHandler(() => world.container);
    const drained = await fresh(urlEvent('/drain/eu-west-1'));
    expect(drained).toMatchObject({ statusCode: 200, body: 'drain' });
    expect(Object.keys(drained.headers ?? {}).sort()).toEqual(['cache-control', 'content-type']);
    expect(await fresh(urlEvent('/drain/us-east-1'))).toMatchObject({ statusCode: 404, body: 'no-drain' });
  });

  it('refuses other methods and unknown paths without voting drain', async () => {
    expect(await request('/drain/eu-west-1', 'POST')).toMatchObject({ statusCode: 404, body: 'no-drain' });
    expect(await request('/anything')).toMatchObject({ statusCode: 404, body: 'no-drain' });
  });
});
