/** `arbiter cost`: prints every priced line, the total and the ARC comparison; a bad config is exit 2. */
import { runCost } from '../../cli/commands/cost';
import { loadConfigFile } from '../../shared/adapters/config/config-file';
import { estimateMonthlyCost } from '../../shared/domain/cost/cost-model';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('arbiter cost', () => {
  it('prints a line per priced item, the total of the model and the ARC cluster price', () => {
    const { io, out } = capture();
    expect(runCost('arbiter.config.yml', io)).toBe(0);
    const text = out.join('\n');
    const loaded = loadConfigFile('arbiter.config.yml');
    if (!loaded.ok) throw new Error('example config is invalid');
    const estimate = estimateMonthlyCost(loaded.config);
    for (const line of estimate.lines) expect(text).toContain(line.item);
    expect(text).toContain(`total: $${estimate.totalUsd.toFixed(2)} per month`);
    expect(text).toContain('one Route 53 ARC cluster is $1825.00 per month');
    expect(text).toMatch(/3 observer regions/);
  });

  it('prints the estimate as JSON with --output json', () => {
    const { io, out } = capture();
    expect(runCost('arbiter.config.yml', io, 'json')).toBe(0);
    const loaded = loadConfigFile('arbiter.config.yml');
    if (!loaded.ok) throw new Error('example config is invalid');
    expect(JSON.parse(out.join('\n'))).toEqual(JSON.parse(JSON.stringify(estimateMonthlyCost(loaded.config))));
  });

  it('rejects an invalid config with its problems and exit code 2', () => {
    const { io, out, err } = capture();
    expect(runCost('test/infra/fixtures/absent.yml', io)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toContain('cannot read test/infra/fixtures/absent.yml');
  });
});
