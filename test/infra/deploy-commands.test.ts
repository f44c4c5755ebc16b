/**
 * `arbiter deploy|remove`: the dry run prints the plan and calls nothing; a real run goes region by
 * region (home first for deploy, last for remove) and stops at the first failure; deploy then reads
 * the region stacks' outputs, deploys the health-check stack (the fixture has data-plane targets)
 * and writes the outputs file. osls is replaced by a recording fake and CloudFormation by an
 * in-memory one (test/support/memory-stacks.ts); test/integration/deploy-stacks.test.ts runs the
 * CloudFormation part against moto.
 */
import type { Route53Client } from '@aws-sdk/client-route-53';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDeploy } from '../../cli/commands/deploy';
import { runPackage, type OslsRun, type OslsRunner } from '../../cli/commands/package';
import { runRemove } from '../../cli/commands/remove';
import { MemoryCloud } from '../support/memory-stacks';

const configFile = 'test/infra/fixtures/infra.config.yml';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const stackName = 'arbiter-infra-prod';
const healthStack = 'arbiter-infra-prod-health-checks';
const regionOutputs = (region: string) => ({ HttpApiUrl: `https://api${region.replace(/-/g, '')}.execute-api.${region}.amazonaws.com`, ArbiterGateHost: `gate${region.replace(/-/g, '')}.lambda-url.${region}.on.aws`, ArbiterHome: String(region === 'us-east-1') });

/** osls stand-in: records each call; a deploy puts the region stack (with its outputs) in the cloud. */
function recordingRunner(failOn?: (run: OslsRun) => boolean, cloud = new MemoryCloud(), outputs: (region: string) => Record<string, string> = regionOutputs): { run: OslsRunner; calls: string[]; cloud: MemoryCloud } {
  const calls: string[] = [];
  const run: OslsRunner = async (r) => {
    const region = r.args[r.args.indexOf('--region') + 1]!;
    calls.push(`${r.args[0]} ${region}`);
    if (failOn?.(r)) return 1;
    if (r.args[0] === 'deploy') cloud.putRegionStack(region, stackName, outputs(region));
    return 0;
  };
  return { run, calls, cloud };
}

const outputsDir = () => mkdtempSync(join(tmpdir(), 'arbiter-outputs-'));

describe('arbiter deploy', () => {
  it('--dry-run prints regions in order with stack names and contents, and runs nothing', async () => {
    const { io, out } = capture();
    const { run, calls } = recordingRunner();
    const code = await runDeploy({ configFile, stage: 'prod', dryRun: true, run }, io);
    expect(code).toBe(0);
    expect(calls).toEqual([]);
    const text = out.join('\n');
    expect(text).toMatch(/1\. us-east-1 +stack arbiter-infra-prod +\[home: owns the Global Table\]/);
    expect(text).toMatch(/2\. eu-west-1 +stack arbiter-infra-prod\n/);
    expect(text).toMatch(/3\. ap-southeast-2 +stack arbiter-infra-prod\n/);
    expect(text).toContain('DynamoDB Global Table arbiter-infra-prod (replicas: us-east-1, eu-west-1, ap-southeast-2');
    expect(text).toContain('forwarding rules to us-east-1, eu-west-1');
    expect(text).toContain('alarm-state rule for infra-us-east-1-5xx, infra-eu-west-1-latency');
    expect(text).toContain('data-plane gate (public function URL, answers /drain/<target>) for eu-west-1, ap-southeast-2');
    expect(text).toMatch(/4\. us-east-1 +stack arbiter-infra-prod-health-checks +\[data plane: Route 53 health checks\]/);
    expect(text).toContain("- ap-southeast-2: one gate vote check per observer and a CALCULATED check (attach it to ap-southeast-2's records)");
  });

  it('packages every region, deploys the home region first, then the health checks in the home region, and writes the outputs file', async () => {
    const { io, out } = capture();
    const { run, calls, cloud } = recordingRunner();
    const dir = outputsDir();
    const code = await runDeploy({ configFile, stage: 'prod', dryRun: false, run, stacks: (r) => cloud.in(r), outputsDir: dir }, io);
    expect(code).toBe(0);
    expect(calls).toEqual(['package us-east-1', 'package eu-west-1', 'package ap-southeast-2', 'deploy us-east-1', 'deploy eu-west-1', 'deploy ap-southeast-2']);
    expect(cloud.calls).toEqual([`outputs us-east-1 ${stackName}`, `outputs eu-west-1 ${stackName}`, `outputs ap-southeast-2 ${stackName}`, `deploy us-east-1 ${healthStack}`]);
    const template = JSON.parse(cloud.get('us-east-1', healthStack)!.templateBody!) as { Resources: Record<string, { Properties: { HealthCheckConfig: Record<string, unknown> } }> };
    expect(template.Resources.VoteApSoutheast2EuWest1HealthCheck!.Properties.HealthCheckConfig).toMatchObject({ Type: 'HTTPS', FullyQualifiedDomainName: 'gateapsoutheast2.lambda-url.ap-southeast-2.on.aws', ResourcePath: '/drain/eu-west-1', Inverted: true });
    expect(template.Resources.CalculatedApSoutheast2HealthCheck!.Properties.HealthCheckConfig).toMatchObject({ Type: 'CALCULATED', HealthThreshold: 3 });
    const file = JSON.parse(readFileSync(join(dir, 'prod.json'), 'utf8')) as { apiUrls: Record<string, string>; healthChecks: Record<string, string> };
    expect(file.apiUrls).toEqual({ 'us-east-1': regionOutputs('us-east-1').HttpApiUrl, 'eu-west-1': regionOutputs('eu-west-1').HttpApiUrl, 'ap-southeast-2': regionOutputs('ap-southeast-2').HttpApiUrl });
    expect(Object.keys(file.healthChecks)).toEqual(['eu-west-1', 'ap-southeast-2']);
    expect(out.join('\n')).toContain(`attach health check ${file.healthChecks['eu-west-1']} to api.example.org A (set eu-west-1, weighted) in zone /hostedzone/Z0INFRAZONETWO: add "HealthCheckId": "${file.healthChecks['eu-west-1']}" to that record set`);

    const again = capture();
    expect(await runDeploy({ configFile, stage: 'prod', dryRun: false, run, stacks: (r) => cloud.in(r), outputsDir: dir }, again.io)).toBe(0);
    expect(again.out).toContain(`${healthStack}: unchanged`);
  });

  it('prints what to attach for every record a target binds, extra records included, with their routing policy', async () => {
    const { io, out, err } = capture();
    const { run, cloud } = recordingRunner();
    const text = readFileSync(configFile, 'utf8').replace('mode: health-check, vote: gate }', "mode: health-check, vote: gate, extraRecords: [{ hostedZoneId: Z0INFRAZONEONE, recordName: api6.example.org, recordType: AAAA, setIdentifier: eu-latency, routingPolicy: latency }] }");
    expect(text).toContain('extraRecords');
    // Inside the project (deploy refuses a config elsewhere: it ships in every bundle); removed at once.
    const file = join('test', 'infra', 'fixtures', `extra-records-${process.pid}.config.yml`);
    writeFileSync(file, text);
    let code: number;
    try {
      code = await runDeploy({ configFile: file, stage: 'prod', dryRun: false, run, stacks: (r) => cloud.in(r), outputsDir: outputsDir() }, io);
    } finally {
      rmSync(file, { force: true });
    }
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);
    const lines = out.join('\n');
    expect(lines).toMatch(/attach health check (\S+) to api\.example\.org A \(set eu-west-1, weighted\)[^\n]*\n\s+attach health check \1 to api6\.example\.org AAAA \(set eu-latency, latency\) in zone Z0INFRAZONEONE: add "HealthCheckId"/);
  });

  it('with --attach-health-checks, UPSERTs each data-plane record with its CALCULATED check and says so', async () => {
    const { io, out } = capture();
    const { run, cloud } = recordingRunner();
    const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
    // A Route 53 stand-in: lists the bound record (no health check yet) and records the UPSERT (moto covers the real calls: test/integration/route53-health-check-attach.test.ts).
    const route53 = { send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      if (command.constructor.name !== 'ListResourceRecordSetsCommand') return {};
      const name = String(command.input.StartRecordName);
      return { ResourceRecordSets: [{ Name: name, Type: command.input.StartRecordType, SetIdentifier: name.startsWith('api.example.org') ? 'eu-west-1' : 'ap-southeast-2', Weight: 100, TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] }] };
    } } as unknown as Route53Client;
    const code = await runDeploy({ configFile, stage: 'prod', dryRun: false, run, stacks: (r) => cloud.in(r), outputsDir: outputsDir(), attachHealthChecks: true, route53 }, io);
    expect(code).toBe(0);
    const upserts = sent.filter((c) => c.name === 'ChangeResourceRecordSetsCommand').map((c) => (c.input as { ChangeBatch: { Changes: Array<{ Action: string; ResourceRecordSet: { SetIdentifier: string; HealthCheckId: string } }> } }).ChangeBatch.Changes[0]!);
    expect(upserts.map((u) => [u.Action, u.ResourceRecordSet.SetIdentifier])).toEqual([['UPSERT', 'eu-west-1'], ['UPSERT', 'ap-southeast-2']]);
    expect(out.join('\n')).toContain(`attached health check ${upserts[0]!.ResourceRecordSet.HealthCheckId} to api.example.org A (set eu-west-1, weighted)`);
  });

  it('names the region whose stack lacks a gate host, deploys no health checks and writes no outputs file', async () => {
    const { io, err } = capture();
    const { run, cloud } = recordingRunner(undefined, new MemoryCloud(), (region) => (region === 'eu-west-1' ? { HttpApiUrl: regionOutputs(region).HttpApiUrl } : regionOutputs(region)));
    const dir = outputsDir();
    expect(await runDeploy({ configFile, stage: 'prod', dryRun: false, run, stacks: (r) => cloud.in(r), outputsDir: dir }, io)).toBe(1);
    expect(err.join('\n')).toContain('the eu-west-1 stack has no valid ArbiterGateHost output (got undefined)');
    expect(cloud.has('us-east-1', healthStack)).toBe(false);
    expect(existsSync(join(dir, 'prod.json'))).toBe(false);
  });

  it('reports a failed health-check stack with CloudFormation\'s reason and writes no outputs file', async () => {
    const { io, err } = capture();
    const { run, cloud } = recordingRunner();
    cloud.failing.add(healthStack);
    const dir = outputsDir();
    expect(await runDeploy({ configFile, stage: 'prod', dryRun: false, run, stacks: (r) => cloud.in(r), outputsDir: dir }, io)).toBe(1);
    expect(err.join('\n')).toContain(`the health-check stack ${healthStack}: stack ${healthStack} ended ROLLBACK_COMPLETE: VoteUsEast1EuWest1HealthCheck: Invalid request`);
    expect(existsSync(join(dir, 'prod.json'))).toBe(false);
  });

  it('stops at the first failed region and names what was done and what was not attempted', async () => {
    const { io, err } = capture();
    const { run, calls } = recordingRunner((r) => r.args[0] === 'deploy' && r.args.includes('eu-west-1'));
    const code = await runDeploy({ configFile, stage: 'prod', dryRun: false, run }, io);
    expect(code).toBe(1);
    expect(calls.filter((c) => c.startsWith('deploy'))).toEqual(['deploy us-east-1', 'deploy eu-west-1']);
    expect(err.join('\n')).toBe(`arbiter deploy: stopped: eu-west-1 failed (osls exit 1). Done: us-east-1. Not attempted: ap-southeast-2, ${healthStack} (us-east-1).`);
  });

  it('deploys nothing when packaging fails', async () => {
    const { run, calls } = recordingRunner((r) => r.args[0] === 'package' && r.args.includes('eu-west-1'));
    expect(await runDeploy({ configFile, stage: 'prod', dryRun: false, run }, capture().io)).toBe(1);
    expect(calls).toEqual(['package us-east-1', 'package eu-west-1']);
  });

  it('rejects a bad stage or an invalid config with a clear message and runs nothing', async () => {
    const bad = capture();
    const { run, calls } = recordingRunner();
    expect(await runDeploy({ configFile, stage: 'Prod_1', dryRun: false, run }, bad.io)).toBe(2);
    expect(bad.err.join('\n')).toContain('stage must be 1-16 lowercase letters');
    const missing = capture();
    expect(await runDeploy({ configFile: 'test/infra/fixtures/absent.yml', stage: 'prod', dryRun: true, run }, missing.io)).toBe(2);
    expect(missing.err.join('\n')).toContain('cannot read test/infra/fixtures/absent.yml');
    expect(calls).toEqual([]);
  });
});

describe('arbiter remove', () => {
  it('--dry-run prints the health checks first, then the reverse order (home last), says the table is retained, and runs nothing', async () => {
    const { io, out } = capture();
    const { run, calls } = recordingRunner();
    expect(await runRemove({ configFile, stage: 'prod', dryRun: true, run }, io)).toBe(0);
    expect(calls).toEqual([]);
    const text = out.join('\n');
    expect(text).toMatch(/1\. us-east-1 +stack arbiter-infra-prod-health-checks[\s\S]*detach its CALCULATED checks[\s\S]*2\. ap-southeast-2[\s\S]*3\. eu-west-1[\s\S]*4\. us-east-1 +stack arbiter-infra-prod +\[home/);
    expect(text).toContain('The Global Table arbiter-infra-prod is retained');
  });

  it('removes the health checks, then the regions in reverse order, and the outputs file last', async () => {
    const dir = outputsDir();
    const { run, calls, cloud } = recordingRunner();
    expect(await runDeploy({ configFile, stage: 'prod', dryRun: false, run, stacks: (r) => cloud.in(r), outputsDir: dir }, capture().io)).toBe(0);
    calls.length = 0;
    expect(await runRemove({ configFile, stage: 'prod', dryRun: false, run, stacks: (r) => cloud.in(r), outputsDir: dir }, capture().io)).toBe(0);
    expect(cloud.calls.at(-1)).toBe(`remove us-east-1 ${healthStack}`);
    expect(cloud.has('us-east-1', healthStack)).toBe(false);
    expect(calls).toEqual(['remove ap-southeast-2', 'remove eu-west-1', 'remove us-east-1']);
    expect(existsSync(join(dir, 'prod.json'))).toBe(false);
  });

  it('removes in reverse order and stops at the first failure', async () => {
    const { io, err } = capture();
    const { run, calls, cloud } = recordingRunner((r) => r.args.includes('eu-west-1'));
    expect(await runRemove({ configFile, stage: 'prod', dryRun: false, run, stacks: (r) => cloud.in(r), outputsDir: outputsDir() }, io)).toBe(1);
    expect(calls).toEqual(['remove ap-southeast-2', 'remove eu-west-1']);
    expect(err.join('\n')).toContain(`Removed: ${healthStack}, ap-southeast-2. Not attempted: us-east-1.`);
  });

  it('stops before any region when the health-check stack cannot be deleted', async () => {
    const { io, err } = capture();
    const { run, calls, cloud } = recordingRunner();
    cloud.failing.add(healthStack);
    expect(await runRemove({ configFile, stage: 'prod', dryRun: false, run, stacks: (r) => cloud.in(r), outputsDir: outputsDir() }, io)).toBe(1);
    expect(calls).toEqual([]);
    expect(err.join('\n')).toContain(`stopped: ${healthStack} failed (stack ${healthStack} ended DELETE_FAILED). Removed: none. Not attempted: ap-southeast-2, eu-west-1, us-east-1.`);
  });
});

describe('arbiter deploy and remove: --profile, --region, --output json', () => {
  const savedEnv = { ...process.env };
  let awsDir: string;
  beforeAll(() => {
    awsDir = mkdtempSync(join(tmpdir(), 'arbiter-aws-'));
    writeFileSync(join(awsDir, 'config'), '[default]\nregion = us-east-1\n\n[profile ops]\nregion = eu-west-1\n');
    writeFileSync(join(awsDir, 'credentials'), '[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = x\n');
    process.env.AWS_CONFIG_FILE = join(awsDir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(awsDir, 'credentials');
  });
  afterAll(() => {
    process.env = savedEnv;
  });

  it('refuses a profile that exists in neither file, naming it and the known ones, and runs nothing', async () => {
    const { io, err } = capture();
    const { run, calls } = recordingRunner();
    expect(await runDeploy({ configFile, stage: 'prod', dryRun: false, run, profile: 'prod-admin' }, io)).toBe(2);
    expect(err.join('\n')).toBe(`arbiter deploy: --profile: profile "prod-admin" is not in ${join(awsDir, 'config')} or ${join(awsDir, 'credentials')} (known: default, ops, ci)`);
    expect(await runRemove({ configFile, stage: 'prod', dryRun: false, run, profile: 'nope' }, capture().io)).toBe(2);
    expect(calls).toEqual([]);
  });

  it('passes the profile to osls, and deploys or removes only --region\'s stack', async () => {
    const seen: OslsRun[] = [];
    const cloud = new MemoryCloud();
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) cloud.putRegionStack(region, stackName, regionOutputs(region));
    const run: OslsRunner = async (r) => {
      seen.push(r);
      return 0;
    };
    const dir = outputsDir();
    const { io, out } = capture();
    expect(await runDeploy({ configFile, stage: 'prod', dryRun: false, run, profile: 'ops', region: 'eu-west-1', stacks: (r) => cloud.in(r), outputsDir: dir }, io)).toBe(0);
    expect(seen.map((r) => `${r.args[0]} ${r.args[r.args.indexOf('--region') + 1]}`)).toEqual(['package eu-west-1', 'deploy eu-west-1']);
    expect(seen.find((r) => r.args[0] === 'deploy')!.env).toMatchObject({ AWS_PROFILE: 'ops' });
    expect(out.join('\n')).toContain('--region eu-west-1: only this region\'s stack (the home stack in us-east-1 must exist already).');
    seen.length = 0;
    expect(await runRemove({ configFile, stage: 'prod', dryRun: false, run, profile: 'ci', region: 'ap-southeast-2', stacks: (r) => cloud.in(r), outputsDir: dir }, capture().io)).toBe(0);
    expect(seen.map((r) => `${r.args[0]} ${r.args[r.args.indexOf('--region') + 1]} ${r.env.AWS_PROFILE}`)).toEqual(['remove ap-southeast-2 ci']);
    expect(cloud.has('us-east-1', healthStack)).toBe(true);
    expect(existsSync(join(dir, 'prod.json'))).toBe(true);
  });

  it('refuses a --region that is not an observer, and removing the home stack alone', async () => {
    const { run, calls } = recordingRunner();
    const unknown = capture();
    expect(await runDeploy({ configFile, stage: 'prod', dryRun: true, run, region: 'sa-east-1' }, unknown.io)).toBe(2);
    expect(unknown.err).toEqual(['arbiter deploy: --region sa-east-1 is not an observer region (us-east-1, eu-west-1, ap-southeast-2)']);
    const home = capture();
    expect(await runRemove({ configFile, stage: 'prod', dryRun: false, run, region: 'us-east-1' }, home.io)).toBe(2);
    expect(home.err.join('\n')).toMatch(/--region us-east-1 is the home region: its stack owns the Global Table/);
    expect(calls).toEqual([]);
  });

  it('--dry-run --output json prints the plan as JSON and nothing else', async () => {
    const { io, out } = capture();
    expect(await runDeploy({ configFile, stage: 'prod', dryRun: true, output: 'json' }, io)).toBe(0);
    const plan = JSON.parse(out.join('\n')) as { verb: string; regions: string[]; plan: { stacks: Array<{ region: string; home: boolean }> }; outputsFile: string };
    expect(plan).toMatchObject({ verb: 'deploy', regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'], outputsFile: join('.arbiter', 'prod.json') });
    expect(plan.plan.stacks.map((s) => [s.region, s.home])).toEqual([['us-east-1', true], ['eu-west-1', false], ['ap-southeast-2', false]]);
  });
});

describe('arbiter package', () => {
  it('packages only the requested regions, each into its own folder, with fake credentials', async () => {
    const { run, calls } = recordingRunner();
    const seen: OslsRun[] = [];
    const code = await runPackage({ configFile, stage: 'prod', regions: ['eu-west-1'], run: async (r) => (seen.push(r), run(r)) }, capture().io);
    expect(code).toBe(0);
    expect(calls).toEqual(['package eu-west-1']);
    expect(seen[0]!.args).toEqual(['package', '--stage', 'prod', '--region', 'eu-west-1', '--package', 'dist/package/prod/eu-west-1']);
    expect(seen[0]!.env).toMatchObject({ AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPACKAGING', AWS_EC2_METADATA_DISABLED: 'true', ARBITER_CONFIG_FILE: configFile });
  });

  it('rejects a region that is not an observer and packages nothing', async () => {
    const { io, err } = capture();
    const { run, calls } = recordingRunner();
    expect(await runPackage({ configFile, stage: 'prod', regions: ['sa-east-1'], run }, io)).toBe(2);
    expect(calls).toEqual([]);
    expect(err.join('\n')).toContain('sa-east-1 is not an observer region');
  });
});
