/** `arbiter simulate`: readable output, exit codes, and the replay line on a violation. */
import { main } from '../../cli/main';
import { exitCodes } from '../../cli/io';
import { loadScenario, scenarioNames } from '../../sim/scenario';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('arbiter simulate', () => {
  it('prints the seed, its parameters, a timeline and a valid summary, and exits 0', async () => {
    const c = capture();
    const code = await main(['simulate', '--scenario', 'failover-hard-outage', '--seed', '5'], c.io);
    const text = c.out.join('\n');
    expect(code).toBe(exitCodes.ok);
    expect(text).toContain('seed 5');
    expect(text).toMatch(/ROUTE 53 C\d+ eu-west-1 100→0/);
    expect(text).toContain('VALID: every invariant held');
  }, 60_000);

  it('exits 5 on an invariant violation and prints how to replay the seed', async () => {
    const c = capture();
    // A scenario whose liveness bound (1 s) is shorter than any restore can take: the checker must say so.
    const code = await main(['simulate', '--scenario', 'test/sim/fixtures/liveness-bound-too-short.yml', '--seed', '3', '--json'], c.io);
    expect(code).toBe(exitCodes.invariant);
    expect(JSON.parse(c.out.join('\n')).check.failedAt.invariant).toBe('convergence');
    // Given as a file path, the scenario replays by that path (its name alone is not in sim/scenarios).
    expect(c.err.join('\n')).toContain('replay: arbiter simulate --scenario test/sim/fixtures/liveness-bound-too-short.yml --seed 3');
  }, 60_000);

  it('lists every scenario with the title saying what it proves, and needs no --scenario or --seed for it', async () => {
    const c = capture();
    expect(await main(['simulate', '--list'], c.io)).toBe(exitCodes.ok);
    const lines = c.out.join('\n').split('\n');
    expect(lines.length).toBe(scenarioNames().length);
    expect(lines.find((l) => l.startsWith('failover-hard-outage '))).toContain(loadScenario('failover-hard-outage').title);
    const missing = capture();
    expect(await main(['simulate', '--seed', '1'], missing.io)).toBe(exitCodes.usage);
    expect(missing.err.join('\n')).toContain('--scenario and --seed are required');
  });

  it('refuses a malformed seed or an unknown scenario with exit 2 and a clear message', async () => {
    const bad = capture();
    expect(await main(['simulate', '--scenario', 'failover-hard-outage', '--seed', 'x1'], bad.io)).toBe(exitCodes.usage);
    expect(bad.err.join('\n')).toContain('--seed must be an integer');
    const unknown = capture();
    expect(await main(['simulate', '--scenario', 'no-such-scenario', '--seed', '1'], unknown.io)).toBe(exitCodes.usage);
    expect(unknown.err.join('\n')).toContain('no scenario named no-such-scenario');
  });
});
