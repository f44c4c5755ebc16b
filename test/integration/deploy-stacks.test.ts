/**
 * `arbiter deploy|remove` against moto's CloudFormation and Route 53: the region stacks' outputs,
 * the data-plane health-check stack (created, left unchanged, updated, removed) and the outputs
 * file. osls itself cannot run here: a stand-in creates each region stack in moto with the outputs
 * osls would give it (HttpApiUrl, ArbiterGateHost).
 *
 * moto gaps, named: moto's CloudFormation keeps a health check's Type, domain, path, interval and
 * failure threshold but drops HealthThreshold, Inverted and ChildHealthChecks, and
 * an update of the stack changes no existing health check (the test reads the stack's template
 * instead), a deleted stack leaves its health checks in moto's Route 53, and moto never answers
 * "No updates are to be performed" (deploy compares templates first). Those
 * are asserted on the template (test/infra/dataplane-resources.test.ts, cfn-lint) and on what deploy
 * sends (test/infra/deploy-commands.test.ts); here only what moto keeps.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { GetHealthCheckCommand, ListHealthChecksCommand, Route53Client } from '@aws-sdk/client-route-53';
import { runDeploy } from '../../cli/commands/deploy';
import type { OslsRunner } from '../../cli/commands/package';
import { runRemove } from '../../cli/commands/remove';
import { CloudFormationStacks, StackError } from '../../shared/adapters/aws/cloudformation-stacks';
import { startMoto, type Moto } from '../support/moto';

jest.setTimeout(60_000);

const configFile = 'test/infra/fixtures/infra.config.yml';
const stage = 'motodeploy';
const regionStack = `arbiter-infra-${stage}`;
const healthStack = `${regionStack}-health-checks`;

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

const stacksIn = (region: string) => new CloudFormationStacks({ client: new CloudFormationClient(moto.clientOptions(region)), pollMs: 50, waitMsMax: 10_000 });
const gateHost = (region: string, version: number) => `g${version}${region.replace(/-/g, '')}.lambda-url.${region}.on.aws`;

/** Stands in for `osls deploy`: a region stack in moto with the outputs osls would give it. */
function oslsStandIn(gateVersion: () => number): OslsRunner {
  return async ({ args }) => {
    if (args[0] !== 'deploy') return 0;
    const region = args[args.indexOf('--region') + 1]!;
    const templateBody = JSON.stringify({
      Resources: { DeliveryQueue: { Type: 'AWS::SQS::Queue' } },
      Outputs: { HttpApiUrl: { Value: `https://api.execute-api.${region}.amazonaws.com` }, ArbiterGateHost: { Value: gateHost(region, gateVersion()) } },
    });
    await stacksIn(region).deploy({ stackName: regionStack, templateBody, tags: {} });
    return 0;
  };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

async function healthChecks(): Promise<Array<{ Id: string; Type: string; FullyQualifiedDomainName?: string; ResourcePath?: string; RequestInterval?: number }>> {
  const route53 = new Route53Client(moto.clientOptions('us-east-1'));
  const listed = await route53.send(new ListHealthChecksCommand({}));
  return (listed.HealthChecks ?? []).map((h) => ({ Id: h.Id!, ...(h.HealthCheckConfig as { Type: string }) }));
}

describe('arbiter deploy and remove against moto CloudFormation', () => {
  it('creates the health-check stack after the region stacks, writes the outputs file, then leaves it unchanged, updates it and removes it', async () => {
    let version = 1;
    const run = oslsStandIn(() => version);
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-deploy-'));
    const options = { configFile, stage, dryRun: false, run, stacks: stacksIn, outputsDir: dir };

    const first = capture();
    expect({ code: await runDeploy(options, first.io), err: first.err }).toEqual({ code: 0, err: [] });
    expect(first.out).toContain(`${healthStack}: created`);
    const described = await new CloudFormationClient(moto.clientOptions('us-east-1')).send(new DescribeStacksCommand({ StackName: healthStack }));
    expect(described.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    const file = JSON.parse(readFileSync(join(dir, `${stage}.json`), 'utf8')) as { apiUrls: Record<string, string>; healthChecks: Record<string, string> };
    expect(file.apiUrls['ap-southeast-2']).toBe('https://api.execute-api.ap-southeast-2.amazonaws.com');
    const route53 = new Route53Client(moto.clientOptions('us-east-1'));
    for (const target of ['eu-west-1', 'ap-southeast-2']) {
      const calculated = await route53.send(new GetHealthCheckCommand({ HealthCheckId: file.healthChecks[target]! }));
      expect(calculated.HealthCheck?.HealthCheckConfig?.Type).toBe('CALCULATED');
    }
    const checks = await healthChecks();
    // eu-west-1 and ap-southeast-2: 3 HTTPS children (one per observer gate) + 1 CALCULATED each.
    expect(checks.map((c) => c.Type).sort()).toEqual(['CALCULATED', 'CALCULATED', 'HTTPS', 'HTTPS', 'HTTPS', 'HTTPS', 'HTTPS', 'HTTPS']);
    expect(checks.filter((c) => c.Type === 'HTTPS').map((c) => [c.FullyQualifiedDomainName, c.ResourcePath, c.RequestInterval]).sort()).toEqual(
      ['ap-southeast-2', 'eu-west-1'].flatMap((t) => ['ap-southeast-2', 'eu-west-1', 'us-east-1'].map((r) => [gateHost(r, 1), `/drain/${t}`, 30])).sort(), // the standard interval, the default
    );

    const second = capture();
    expect(await runDeploy(options, second.io)).toBe(0);
    expect(second.out).toContain(`${healthStack}: unchanged`);

    version = 2;
    const third = capture();
    expect({ code: await runDeploy(options, third.io), err: third.err }).toEqual({ code: 0, err: [] });
    expect(third.out).toContain(`${healthStack}: updated`);
    // moto applies no update to an existing health check (gap named above): read what the stack now holds.
    const cfn = new CloudFormationClient(moto.clientOptions('us-east-1'));
    expect((await cfn.send(new DescribeStacksCommand({ StackName: healthStack }))).Stacks?.[0]?.StackStatus).toBe('UPDATE_COMPLETE');
    const deployed = (await cfn.send(new GetTemplateCommand({ StackName: healthStack }))).TemplateBody ?? '';
    for (const region of ['ap-southeast-2', 'eu-west-1', 'us-east-1']) expect({ region, v2: deployed.includes(gateHost(region, 2)), v1: deployed.includes(gateHost(region, 1)) }).toEqual({ region, v2: true, v1: false });

    const removed = capture();
    expect({ code: await runRemove(options, removed.io), err: removed.err }).toEqual({ code: 0, err: [] });
    expect(removed.out).toContain(`${healthStack}: deleted`);
    await expect(stacksIn('us-east-1').outputs(healthStack)).rejects.toThrow(new StackError(`stack ${healthStack} does not exist`, healthStack, null));
  });

  it('translates CloudFormation refusals into StackError naming the stack', async () => {
    const stacks = stacksIn('eu-west-1');
    await expect(stacks.outputs('arbiter-nowhere')).rejects.toThrow(/stack arbiter-nowhere does not exist/);
    await expect(stacks.deploy({ stackName: 'arbiter-broken', templateBody: '{ not json', tags: {} })).rejects.toThrow(/creating stack arbiter-broken was refused: /);
    expect(await stacks.remove('arbiter-nowhere')).toBe('absent');
  });
});
