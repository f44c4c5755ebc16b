import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblems, loadConfigFile, parseConfigText } from '../../shared/adapters/config/config-file';

const root = join(__dirname, '..', '..');
const fixture = (name: string) => join(root, 'test', 'fixtures', 'configs', name);

describe('config file adapter', () => {
  it('loads the shipped arbiter.config.yml as a valid three-region config', () => {
    const result = loadConfigFile(join(root, 'arbiter.config.yml'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.observers).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2']);
    expect(result.config.targets.map((t) => t.route53.setIdentifier)).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2']);
  });

  it('reports a YAML syntax error with its line and column', () => {
    const result = loadConfigFile(fixture('unreadable.yml'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]!.path).toBe('line 4, column 1');
    expect(result.errors[0]!.message).toMatch(/^invalid YAML: /);
  });

  it('reports duplicate keys as YAML errors with a position', () => {
    const result = parseConfigText('version: 1\nname: shop\nname: other\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]!.path).toBe('line 3, column 1');
    expect(result.errors[0]!.message).toMatch(/unique/);
  });

  it('turns a missing file into a problem naming the file, not an exception', () => {
    const result = loadConfigFile(fixture('does-not-exist.yml'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatProblems(result.errors)).toMatch(/^cannot read .*does-not-exist\.yml: ENOENT$/);
  });

  it('validates the meaning of a well-formed file', () => {
    const result = parseConfigText(readFileSync(fixture('timeout-above-interval.yml'), 'utf8'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatProblems(result.errors).split('\n')).toEqual([
      'targets[1].endpoints[0].timeoutMs: must not exceed probe.intervalMs (10000)',
      'targets[1].endpoints[0].latencyMsMax: must not exceed timeoutMs (12000)',
    ]);
  });
});
