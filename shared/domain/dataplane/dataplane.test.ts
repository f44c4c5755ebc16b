import fc from 'fast-check';
import { configInput, makeConfig, regions } from '../../../test/support/fixtures';
import { quorumSize, validateConfig } from '../config';
import { gateAnswer } from './gate';
import { dataPlaneHealthChecks, gatePath, voteAlarmName } from './health-checks';
import { calculatedHealthy, calculatedThreshold, dataPlaneTargets, observerVotes, weightTargets } from './votes';

/** The fixture config with eu-west-1 in health-check mode (gate) and ap-southeast-2 in metric mode. */
function mixedConfig() {
  const input = configInput();
  input.targets[1]!.route53 = { ...input.targets[1]!.route53, mode: 'health-check' };
  input.targets[2]!.route53 = { ...input.targets[2]!.route53, mode: 'health-check', vote: 'metric' };
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

const gateHosts = Object.fromEntries(regions.map((r) => [r, `gate-${r}.lambda-url.${r}.on.aws`]));

/**
 * What Route 53 would conclude for one target: each observer is voting drain, voting no-drain
 * or dead. A dead gate fails its HTTPS check, which the Inverted child reads as "no drain".
 */
function gateModeHealthy(observerCount: number, states: ReadonlyArray<'drain' | 'no-drain' | 'dead'>): boolean {
  const childrenHealthy = states.map((s) => s !== 'drain');
  return calculatedHealthy(childrenHealthy, calculatedThreshold(observerCount));
}

describe('data-plane config', () => {
  it('keeps weight mode when route53.mode is absent (the original behaviour)', () => {
    const config = makeConfig();
    expect(weightTargets(config)).toHaveLength(3);
    expect(dataPlaneTargets(config)).toHaveLength(0);
  });

  it('splits targets by mode', () => {
    const config = mixedConfig();
    expect(weightTargets(config).map((t) => t.region)).toEqual(['us-east-1']);
    expect(dataPlaneTargets(config).map((t) => t.region)).toEqual(['eu-west-1', 'ap-southeast-2']);
  });

  it('rejects a vote mechanism on a weight-mode target, naming the field', () => {
    const input = configInput();
    input.targets[0]!.route53 = { ...input.targets[0]!.route53, vote: 'metric' };
    const result = validateConfig(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([expect.objectContaining({ path: 'targets[0].route53.vote', message: expect.stringContaining('health-check') })]);
  });

  it('rejects an unknown mode with the allowed values', () => {
    const input = configInput();
    (input.targets[0]!.route53 as Record<string, unknown>).mode = 'failover';
    const result = validateConfig(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.path).toBe('targets[0].route53.mode');
  });
});

describe('calculatedThreshold', () => {
  it('equals the quorum for 3, 5, 7 observers', () => {
    for (const n of [3, 5, 7]) expect(calculatedThreshold(n)).toBe(quorumSize(n));
  });

  it('makes a drain need a quorum of drain votes for every observer count (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))), ([n, drainVotes]) => {
      const children = Array.from({ length: n }, (_, i) => i >= drainVotes);
      expect(calculatedHealthy(children, calculatedThreshold(n))).toBe(drainVotes < quorumSize(n));
    }));
  });
});

describe('observer deaths in gate mode (3 observers, threshold 2)', () => {
  it('one dead observer changes nothing: two drain votes still drain, one does not', () => {
    expect(gateModeHealthy(3, ['dead', 'drain', 'drain'])).toBe(false);
    expect(gateModeHealthy(3, ['dead', 'drain', 'no-drain'])).toBe(true);
    expect(gateModeHealthy(3, ['dead', 'no-drain', 'no-drain'])).toBe(true);
  });

  it('two dead observers can never drain a target, whatever the survivor votes', () => {
    expect(gateModeHealthy(3, ['dead', 'dead', 'drain'])).toBe(true);
    expect(gateModeHealthy(3, ['dead', 'dead', 'no-drain'])).toBe(true);
  });

  it('no minority of observers, dead or voting drain, fails a target (property, odd n)', () => {
    const states = fc.constantFrom<'drain' | 'no-drain' | 'dead'>('drain', 'no-drain', 'dead');
    fc.assert(fc.property(fc.constantFrom(3, 5, 7).chain((n) => fc.array(states, { minLength: n, maxLength: n })), (votes) => {
      const n = votes.length;
      const drains = votes.filter((v) => v === 'drain').length;
      expect(gateModeHealthy(n, votes)).toBe(drains < quorumSize(n));
    }));
  });
});

describe('observerVotes', () => {
  it('votes drain only where the decision drains a data-plane target', () => {
    const config = mixedConfig();
    expect(observerVotes(config, { 'us-east-1': 'drained', 'eu-west-1': 'drained', 'ap-southeast-2': 'serving' })).toEqual({ 'eu-west-1': 'drain', 'ap-southeast-2': 'no-drain' });
  });

  it('votes no-drain everywhere without a decision', () => {
    expect(observerVotes(mixedConfig(), null)).toEqual({ 'eu-west-1': 'no-drain', 'ap-southeast-2': 'no-drain' });
  });
});

describe('gateAnswer', () => {
  const config = mixedConfig();
  it('answers 200 "drain" for a drained data-plane target', () => {
    expect(gateAnswer(config, { 'eu-west-1': 'drained' }, '/drain/eu-west-1')).toEqual({ status: 200, body: 'drain' });
  });

  it('answers 404 for a serving target, a weight-mode target, an unknown path', () => {
    expect(gateAnswer(config, { 'eu-west-1': 'serving' }, '/drain/eu-west-1').status).toBe(404);
    expect(gateAnswer(config, { 'us-east-1': 'drained' }, '/drain/us-east-1')).toEqual({ status: 404, body: expect.stringContaining('not a health-check target') });
    expect(gateAnswer(config, { 'eu-west-1': 'drained' }, '/eu-west-1').status).toBe(404);
    expect(gateAnswer(config, { 'eu-west-1': 'drained' }, '/drain/../eu-west-1').status).toBe(404);
  });
});

describe('dataPlaneHealthChecks', () => {
  it('defines one child per observer and a CALCULATED check with threshold = quorum per data-plane target', () => {
    const config = mixedConfig();
    const checks = dataPlaneHealthChecks(config, gateHosts);
    expect(checks.map((c) => c.target)).toEqual(['eu-west-1', 'ap-southeast-2']);
    for (const check of checks) {
      expect(check.children.map((c) => c.observer)).toEqual([...regions]);
      expect(check.calculated).toEqual({ Type: 'CALCULATED', HealthThreshold: 2, childCount: 3 });
    }
  });

  it('makes gate children Inverted HTTPS checks at a 10 s interval on the target path', () => {
    const gate = dataPlaneHealthChecks(mixedConfig(), gateHosts)[0]!.children[1]!;
    expect(gate.kind).toBe('gate');
    expect(gate.config).toMatchObject({ Type: 'HTTPS', FullyQualifiedDomainName: 'gate-eu-west-1.lambda-url.eu-west-1.on.aws', ResourcePath: gatePath('eu-west-1'), RequestInterval: 10, Inverted: true });
  });

  it('makes metric children read the observer-region alarm and keep the last status on missing data', () => {
    const config = mixedConfig();
    const child = dataPlaneHealthChecks(config, gateHosts)[1]!.children[0]!;
    expect(child.kind).toBe('metric');
    if (child.kind !== 'metric') return;
    expect(child.config).toEqual({ Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Region: 'us-east-1', Name: voteAlarmName(config, 'us-east-1', 'ap-southeast-2') }, InsufficientDataHealthStatus: 'LastKnownStatus', Inverted: false });
    expect(child.alarm).toMatchObject({ region: 'us-east-1', TreatMissingData: 'ignore', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('refuses a gate-mode target without a gate host for every observer, naming the observer', () => {
    expect(() => dataPlaneHealthChecks(mixedConfig(), { 'us-east-1': 'a.on.aws' })).toThrow(/eu-west-1/);
  });
});
