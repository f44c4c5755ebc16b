import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../main';
import type { CommandIo } from '../io';

const root = join(__dirname, '..', '..');
const fixture = (name: string) => join(root, 'test', 'fixtures', 'configs', name);

/** Runs the CLI in-process with captured output. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('arbiter validate', () => {
  it('accepts the shipped arbiter.config.yml and summarises it', async () => {
    const r = await run('validate', join(root, 'arbiter.config.yml'));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/is valid: 3 observers \(quorum 2\), 3 targets, 1 alarms, 1 drills\.$/);
    expect(r.err).toBe('');
  });

  it('ships a config in the data-plane mode, so validate has no control-plane advice for it', async () => {
    const r = await run('validate', join(root, 'arbiter.config.yml'));
    expect(r.out).toContain('Data-plane mode for us-east-1 (gate votes), eu-west-1 (gate votes), ap-southeast-2 (gate votes)');
    expect(r.out).not.toContain('Advice:');
  });

  it('advises each weight-mode target, by its path, to move to health-check mode', async () => {
    const r = await run('validate', join(root, 'test', 'infra', 'fixtures', 'infra.config.yml'));
    expect(r.out).toContain('Advice: us-east-1 moves traffic through the Route 53 control plane (targets[0].route53.mode is absent, so weight), which lives in us-east-1 only: it cannot fail over while that API is down. Set targets[0].route53.mode: health-check');
    expect(r.out).not.toContain('targets[1].route53.mode');
  });

  it('explains data-plane mode for the targets that use it', async () => {
    const r = await run('validate', join(root, 'test', 'infra', 'fixtures', 'infra.config.yml'));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[1]).toBe('Data-plane mode for eu-west-1 (gate votes), ap-southeast-2 (gate votes): Arbiter never changes their records; each gets a CALCULATED health check (gate votes fail it once any live observer\'s decision (a quorum of fresh proposals) drains it). Attach the checks `arbiter deploy` prints to their records.');
    expect((await run('validate', join(root, 'test', 'infra', 'fixtures', 'weight-only.config.yml'))).out).not.toContain('Data-plane');
  });

  it('uses --config when no file is given', async () => {
    const r = await run('--config', fixture('one-observer.yml'), 'validate');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('one-observer.yml is not valid (2 problems):');
  });

  it('rejects a file with meaning errors, every message named by its path', async () => {
    const r = await run('validate', fixture('timeout-above-interval.yml'));
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toEqual([
      `${fixture('timeout-above-interval.yml')} is not valid (2 problems):`,
      '  targets[1].endpoints[0].timeoutMs: must not exceed probe.intervalMs (10000)',
      '  targets[1].endpoints[0].latencyMsMax: must not exceed timeoutMs (12000)',
    ]);
    expect(r.out).toBe('');
  });

  it('rejects unknown fields by path', async () => {
    const r = await run('validate', fixture('unknown-field.yml'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('  targets[0].endpoints[0]: unknown field "timout" (check the spelling)');
    expect(r.err).toContain('  unknown field "colour" (check the spelling)');
  });

  it('rejects one observer and minServing above the targets', async () => {
    const r = await run('validate', fixture('one-observer.yml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/ {2}observers: needs at least 2 regions/);
    expect(r.err).toContain('  safety.minServing: must not exceed the number of targets (1)');
  });

  it('rejects unreadable YAML with its line and column', async () => {
    const r = await run('validate', fixture('unreadable.yml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/ {2}line 4, column 1: invalid YAML: /);
  });

  it('rejects a missing file, naming it', async () => {
    const missing = fixture('no-such-file.yml');
    const r = await run('validate', missing);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cannot read ${missing}: ENOENT`);
  });

  it('reports every problem at once: a wrong URL scheme and a mistyped field hide none of the others', async () => {
    const r = await run('validate', fixture('many-problems.yml'));
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toEqual([
      `${fixture('many-problems.yml')} is not valid (8 problems):`,
      '  drills[0].holdSeconds: Invalid input: expected number, received string',
      '  targets[0].endpoints[0].url: must be an http(s) URL, got "ftp://us-east-1.api.example.com/health"',
      '  targets[1].endpoints[0].timeoutMs: must not exceed probe.intervalMs (2000)',
      '  targets[1].endpoints[0].latencyMsMax: must not exceed timeoutMs (12000)',
      '  safety.minServing: must not exceed the number of targets (2)',
      '  drills[0].schedule: cron(99 99 ? * TUE *): minutes 99 is outside 0-59',
      '  drills[0].schedule: cron(99 99 ? * TUE *): hours 99 is outside 0-23',
      '  drills[1].schedule: rate(0 minutes): the rate must be at least 1',
    ]);
  });

  it('says that an empty file is empty', async () => {
    const r = await run('validate', fixture('empty.yml'));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${fixture('empty.yml')} is not valid (1 problem):\n  the file is empty (no YAML in it): start from arbiter.config.yml in the project (README, Configuration)`);
  });

  it('prints {file, valid, problems} as JSON with --output json', async () => {
    const bad = await run('validate', fixture('timeout-above-interval.yml'), '--output', 'json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.out)).toEqual({ file: fixture('timeout-above-interval.yml'), valid: false, problems: [
      { path: 'targets[1].endpoints[0].timeoutMs', message: 'must not exceed probe.intervalMs (10000)' },
      { path: 'targets[1].endpoints[0].latencyMsMax', message: 'must not exceed timeoutMs (12000)' },
    ] });
    const good = await run('validate', join(root, 'arbiter.config.yml'), '--output', 'json');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toMatchObject({ valid: true, problems: [], summary: { observers: 3, quorum: 2, targets: 3, drills: 1 } });
  });

  it('runs as the real arbiter command (cli/bin/arbiter.js): messages on stderr, exit code 2', () => {
    const bin = join(root, 'cli', 'bin', 'arbiter.js');
    // One spawn only (a tsx cold start costs seconds); the exit-0 path is covered in-process above.
    const bad = spawnSync(process.execPath, [bin, 'validate', fixture('timeout-above-interval.yml')], { encoding: 'utf8', timeout: 30_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('targets[1].endpoints[0].timeoutMs: must not exceed probe.intervalMs (10000)');
  }, 60_000);
});
