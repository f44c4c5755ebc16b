/**
 * `arbiter deploy|remove`: the dry run prints the plan and calls nothing; a real run goes region by
 * region (home first for deploy, last for remove) and stops at the first failure. osls is replaced
 * by a recording fake: no AWS is reachable here.
 */
import { runDeploy } from '../../cli/commands/deploy';
import { runPackage, type OslsRun, type OslsRunner } from '../../cli/commands/package';
import { runRemove } from '../../cli/commands/remove';

const configFile = 'test/infra/fixtures/infra.config.yml';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

function recordingRunner(failOn?: (run: OslsRun) => boolean): { run: OslsRunner; calls: string[] } {
  const calls: string[] = [];
  const run: OslsRunner = async (r) => {
    calls.push(`${r.args[0]} ${r.args[r.args.indexOf('--region') + 1]}`);
    return failOn?.(r) ? 1 : 0;
  };
  return { run, calls };
}

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
  });

  it('packages every region, then deploys the home region first, one region after another', async () => {
    const { run, calls } = recordingRunner();
    const code = await runDeploy({ configFile, stage: 'prod', dryRun: false, run }, capture().io);
    expect(code).toBe(0);
    expect(calls).toEqual(['package us-east-1', 'package eu-west-1', 'package ap-southeast-2', 'deploy us-east-1', 'deploy eu-west-1', 'deploy ap-southeast-2']);
  });

  it('stops at the first failed region and names what was done and what was not attempted', async () => {
    const { io, err } = capture();
    const { run, calls } = recordingRunner((r) => r.args[0] === 'deploy' && r.args.includes('eu-west-1'));
    const code = await runDeploy({ configFile, stage: 'prod', dryRun: false, run }, io);
    expect(code).toBe(1);
    expect(calls.filter((c) => c.startsWith('deploy'))).toEqual(['deploy us-east-1', 'deploy eu-west-1']);
    expect(err.join('\n')).toBe('arbiter deploy: stopped: eu-west-1 failed (osls exit 1). Done: us-east-1. Not attempted: ap-southeast-2.');
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
  it('--dry-run prints the reverse order (home last), says the table is retained, and runs nothing', async () => {
    const { io, out } = capture();
    const { run, calls } = recordingRunner();
    expect(await runRemove({ configFile, stage: 'prod', dryRun: true, run }, io)).toBe(0);
    expect(calls).toEqual([]);
    const text = out.join('\n');
    expect(text).toMatch(/1\. ap-southeast-2[\s\S]*2\. eu-west-1[\s\S]*3\. us-east-1 +stack arbiter-infra-prod +\[home/);
    expect(text).toContain('The Global Table arbiter-infra-prod is retained');
  });

  it('removes in reverse order and stops at the first failure', async () => {
    const { io, err } = capture();
    const { run, calls } = recordingRunner((r) => r.args.includes('eu-west-1'));
    expect(await runRemove({ configFile, stage: 'prod', dryRun: false, run }, io)).toBe(1);
    expect(calls).toEqual(['remove ap-southeast-2', 'remove eu-west-1']);
    expect(err.join('\n')).toContain('Removed: ap-southeast-2. Not attempted: us-east-1.');
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
