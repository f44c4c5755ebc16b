import { configInput, makeConfig } from '../../../test/support/fixtures';
import { defaultMaxDrained, formatPath, quorumSize, validateConfig, type ArbiterConfigInput, type ConfigProblem } from '.';

type Input = ReturnType<typeof configInput>;

/** The problems of a config built from the fixture and then edited; fails the test if it is valid. */
function problemsOf(edit: (input: Input) => void): ConfigProblem[] {
  const input = structuredClone(configInput());
  edit(input);
  const result = validateConfig(input);
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.errors;
}

function lines(problems: readonly ConfigProblem[]): string[] {
  return problems.map((p) => `${p.path}: ${p.message}`);
}

const targetAt = (input: Input, index: number) => (input.targets as NonNullable<ArbiterConfigInput['targets']>)[index]!;

describe('validateConfig', () => {
  it('accepts the three-region fixture and fills in every default', () => {
    const result = validateConfig(configInput());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.probe.intervalMs).toBe(2000);
    expect(result.config.probe.failureMinDurationMs).toBe(10000);
    expect(result.config.safety.minServing).toBe(1);
    expect(result.config.safety.maxDrained).toBe(1);
    expect(result.config.targets[0]!.endpoints[0]!.method).toBe('GET');
    expect(result.config.targets[0]!.endpoints[0]!.expectStatus).toEqual({ min: 200, max: 299 });
  });

  it('names the endpoint whose timeout is above the probe interval', () => {
    const problems = problemsOf((c) => {
      targetAt(c, 1).endpoints[0]!.timeoutMs = 10000;
    });
    expect(lines(problems)).toEqual(['targets[1].endpoints[0].timeoutMs: must not exceed probe.intervalMs (2000)']);
  });

  it('reports every problem at once, not only the first', () => {
    const problems = problemsOf((c) => {
      targetAt(c, 0).endpoints[0]!.timeoutMs = 20000;
      targetAt(c, 2).endpoints[0]!.latencyMsMax = 5000;
      c.safety = { minServing: 4 };
      c.observers = ['us-east-1', 'us-east-1', 'eu-west-1'];
    });
    expect(lines(problems)).toEqual(expect.arrayContaining([
      'targets[0].endpoints[0].timeoutMs: must not exceed probe.intervalMs (2000)',
      'targets[2].endpoints[0].latencyMsMax: must not exceed timeoutMs (2000)',
      'safety.minServing: must not exceed the number of targets (3)',
      'observers: lists us-east-1 more than once',
    ]));
    expect(problems).toHaveLength(4);
  });

  it('refuses a single observer', () => {
    expect(lines(problemsOf((c) => { c.observers = ['us-east-1']; }))[0]).toMatch(/^observers: needs at least 2 regions/);
  });

  it('allows two observers only with the unanimity acknowledgement', () => {
    expect(lines(problemsOf((c) => { c.observers = ['us-east-1', 'eu-west-1']; }))[0]).toMatch(/^observers: has 2 regions, so quorum means both must agree/);
    expect(validateConfig({ ...configInput(), observers: ['us-east-1', 'eu-west-1'], acknowledgeTwoObserverUnanimity: true }).ok).toBe(true);
  });

  it('rejects two targets for one region and two targets bound to one record', () => {
    const problems = problemsOf((c) => {
      targetAt(c, 1).region = 'us-east-1';
      targetAt(c, 2).route53.setIdentifier = 'us-east-1';
    });
    expect(lines(problems)).toEqual(expect.arrayContaining([
      'targets: has two targets for us-east-1',
      'targets[2].route53.setIdentifier: binds the same record (zone Z0123456789EXAMPLE, api.example.com A, SetIdentifier us-east-1) as targets[0]: a record can move for one target only',
    ]));
  });

  it('sees a record bound twice through a /hostedzone/ prefix, upper case and a final dot, naming both targets', () => {
    const problems = problemsOf((c) => {
      targetAt(c, 2).route53 = { ...targetAt(c, 2).route53, hostedZoneId: '/hostedzone/Z0123456789EXAMPLE', recordName: 'API.example.com.', setIdentifier: 'us-east-1' };
    });
    expect(problems.map((p) => p.path)).toEqual(['targets[2].route53.setIdentifier']);
    expect(problems[0]!.message).toContain('as targets[0]');
  });

  it('refuses a routing policy weight mode cannot drive, naming the path and the way out', () => {
    const problems = problemsOf((c) => {
      targetAt(c, 1).route53 = { ...targetAt(c, 1).route53, routingPolicy: 'latency', recordName: 'eu.example.com' };
    });
    expect(lines(problems)).toEqual(['targets[1].route53.routingPolicy: is latency, which route53.mode weight cannot drive (it changes weights, and a latency record has none): use mode: health-check']);
  });

  it('refuses a weighted set split over two hosted zones in weight mode, and allows it in health-check mode', () => {
    const problems = problemsOf((c) => {
      targetAt(c, 2).route53 = { ...targetAt(c, 2).route53, hostedZoneId: 'Z0OTHERZONE' };
    });
    expect(problems.map((p) => p.path)).toEqual(['targets[0].route53.hostedZoneId', 'targets[1].route53.hostedZoneId', 'targets[2].route53.hostedZoneId']);
    expect(problems[2]!.message).toContain('Z0OTHERZONE holds api.example.com A, which targets[0] binds in zone Z0123456789EXAMPLE');
    const input = structuredClone(configInput());
    for (const target of input.targets) target.route53 = { ...target.route53, mode: 'health-check' };
    targetAt(input, 2).route53 = { ...targetAt(input, 2).route53, hostedZoneId: 'Z0OTHERZONE', routingPolicy: 'latency' };
    expect(validateConfig(input).ok).toBe(true);
  });

  it('refuses two routing policies on one record set in one zone, whatever the mode', () => {
    const problems = problemsOf((c) => {
      for (const target of c.targets!) target.route53 = { ...target.route53, mode: 'health-check' };
      targetAt(c, 1).route53 = { ...targetAt(c, 1).route53, routingPolicy: 'failover' };
    });
    expect(problems.map((p) => p.path)).toContain('targets[1].route53.routingPolicy');
    expect(lines(problems).join('\n')).toContain('Route 53 allows one routing policy per record name and type');
  });

  it('requires every target to be bound to a Route 53 record', () => {
    const problems = problemsOf((c) => {
      delete (targetAt(c, 2) as Partial<ReturnType<typeof targetAt>>).route53;
    });
    expect(problems.map((p) => p.path)).toEqual(['targets[2].route53']);
  });

  it('checks the expected status range and the fast-confirmation budget', () => {
    const problems = problemsOf((c) => {
      targetAt(c, 0).endpoints[0]!.expectStatus = { min: 300, max: 200 };
      c.probe = { intervalMs: 10000, confirmCount: 5, confirmSpacingMs: 2000 };
    });
    expect(lines(problems)).toEqual(expect.arrayContaining([
      'targets[0].endpoints[0].expectStatus: min (300) must not exceed max (200)',
      'probe.confirmSpacingMs: confirmCount × confirmSpacingMs (10000) must be less than probe.intervalMs (10000)',
    ]));
  });

  it('keeps verdict refresh and freshness consistent with the interval', () => {
    const problems = problemsOf((c) => {
      c.probe = { intervalMs: 10000, verdictRefreshMs: 5000, verdictFreshnessMs: 12000 };
    });
    expect(lines(problems)).toEqual([
      'probe.verdictRefreshMs: must be at least probe.intervalMs (10000)',
      'probe.verdictFreshnessMs: must be at least verdictRefreshMs + intervalMs (15000), or fresh verdicts would read as stale',
    ]);
  });

  it('bounds maxDrained by targets minus minServing', () => {
    expect(lines(problemsOf((c) => { c.safety = { minServing: 2, maxDrained: 2 }; }))).toEqual(['safety.maxDrained: must not exceed targets minus minServing (1)']);
  });

  it('rejects alarms and drills aimed at unknown targets, duplicate names and holds beyond the override TTL', () => {
    const problems = problemsOf((c) => {
      c.alarms = [{ name: 'a', target: 'sa-east-1' }, { name: 'b', target: 'us-east-1' }, { name: 'b', target: 'eu-west-1' }];
      c.overrides = { ttlSecondsMax: 600 };
      c.drills = [
        { name: 'd', schedule: 'rate(7 days)', target: 'sa-east-1', mode: 'shadow' },
        { name: 'd', schedule: 'cron(0 10 ? * TUE *)', target: 'us-east-1', mode: 'evacuate', holdSeconds: 900 },
      ];
    });
    expect(lines(problems)).toEqual(expect.arrayContaining([
      'alarms[0].target: sa-east-1 is not a configured target',
      'alarms: lists alarm b more than once',
      'drills[0].target: sa-east-1 is not a configured target',
      'drills[1].holdSeconds: must not exceed overrides.ttlSecondsMax (600)',
      'drills: has two drills named d',
    ]));
    expect(problems).toHaveLength(5);
  });

  it('names unknown fields with their path so typos are caught', () => {
    const problems = problemsOf((c) => {
      (targetAt(c, 0).endpoints[0] as Record<string, unknown>).timout = 100;
      (c as Record<string, unknown>).obsrvers = [];
    });
    expect(lines(problems)).toEqual(expect.arrayContaining([
      'targets[0].endpoints[0]: unknown field "timout" (check the spelling)',
      ': unknown field "obsrvers" (check the spelling)',
    ]));
  });

  it('reports shape errors with their path: bad region, bad URL, bad zone id, wrong version', () => {
    const problems = problemsOf((c) => {
      c.observers = ['us-east-1', 'Europe', 'ap-southeast-2'];
      targetAt(c, 0).endpoints[0]!.url = 'ftp://x.example.com';
      targetAt(c, 1).route53.hostedZoneId = 'not-a-zone';
      (c as Record<string, unknown>).version = 2;
    });
    const byPath = new Map(problems.map((p) => [p.path, p.message]));
    expect(byPath.get('observers[1]')).toBe('must be an AWS region name such as eu-west-1');
    expect(byPath.get('targets[0].endpoints[0].url')).toBe('must be an http(s) URL, got "ftp://x.example.com"');
    expect(byPath.get('targets[1].route53.hostedZoneId')).toMatch(/^must be a Route 53 hosted zone id/);
    expect(byPath.has('version')).toBe(true);
  });

  it('does not throw on input that is not an object at all', () => {
    for (const value of [null, 42, 'text', []]) {
      const result = validateConfig(value);
      expect(result.ok).toBe(false);
    }
  });
});

describe('config helpers', () => {
  it('formats paths with indexes in brackets', () => {
    expect(formatPath(['targets', 1, 'endpoints', 0, 'timeoutMs'])).toBe('targets[1].endpoints[0].timeoutMs');
    expect(formatPath([])).toBe('');
  });

  it('computes quorum as floor(n/2)+1 and refuses nonsense', () => {
    expect([1, 2, 3, 4, 5, 9].map(quorumSize)).toEqual([1, 2, 2, 3, 3, 5]);
    expect(() => quorumSize(0)).toThrow(/positive integer/);
    expect(() => quorumSize(2.5)).toThrow(/positive integer/);
  });

  it('defaults maxDrained to one, never below minServing', () => {
    expect(defaultMaxDrained(3, 1)).toBe(1);
    expect(defaultMaxDrained(2, 2)).toBe(0);
    expect(defaultMaxDrained(5, 1)).toBe(1);
  });

  it('makeConfig resolves an explicit maxDrained', () => {
    expect(makeConfig({ safety: { minServing: 1, maxDrained: 2 } }).safety.maxDrained).toBe(2);
  });
});

describe('validateConfig: notifications', () => {
  const arn = (region: string) => `arn:aws:sns:${region}:123456789012:ops`;
  const allArns = () => ({ 'us-east-1': arn('us-east-1'), 'eu-west-1': arn('eu-west-1'), 'ap-southeast-2': arn('ap-southeast-2') });

  it('accepts no section, topic: create, or one existing topic per observer region', () => {
    expect(validateConfig(configInput()).ok).toBe(true);
    expect(makeConfig({ notifications: { topic: 'create' } }).notifications).toEqual({ topic: 'create' });
    expect(makeConfig({ notifications: { topicArns: allArns() } }).notifications?.topicArns).toEqual(allArns());
  });

  it('names every problem: both or neither target, a missing region, a topic in another region, a stranger region, a bad ARN, a typo', () => {
    expect(lines(problemsOf((i) => { i.notifications = { topic: 'create', topicArns: allArns() }; }))).toEqual(['notifications: needs exactly one of topic: create or topicArns (an existing SNS topic per observer region)']);
    expect(lines(problemsOf((i) => { i.notifications = {}; }))).toEqual(['notifications: needs exactly one of topic: create or topicArns (an existing SNS topic per observer region)']);
    expect(lines(problemsOf((i) => { i.notifications = { topicArns: { ...allArns(), 'eu-west-1': arn('us-east-1'), 'sa-east-1': arn('sa-east-1') } }; }))).toEqual([
      'notifications.topicArns.eu-west-1: arn:aws:sns:us-east-1:123456789012:ops is not in eu-west-1 (an alarm can only notify a topic in its own region)',
      'notifications.topicArns.sa-east-1: sa-east-1 is not an observer',
    ]);
    const { 'ap-southeast-2': _dropped, ...two } = allArns();
    expect(lines(problemsOf((i) => { i.notifications = { topicArns: two }; }))).toEqual(['notifications.topicArns: has no topic for observer ap-southeast-2']);
    expect(lines(problemsOf((i) => { i.notifications = { topicArns: { ...allArns(), 'eu-west-1': 'ops-topic' } }; }))).toEqual(['notifications.topicArns.eu-west-1: must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)']);
    expect(lines(problemsOf((i) => { i.notifications = { topic: 'create', email: 'ops@example.com' } as never; }))).toEqual(['notifications: unknown field "email" (check the spelling)']);
  });

  it('binds extra records to a health-check target, refusing them in weight mode and refusing a record bound twice, by path', () => {
    const extra = { hostedZoneId: 'Z0OTHERZONE', recordName: 'api6.example.com', recordType: 'AAAA' as const, setIdentifier: 'eu', routingPolicy: 'latency' as const };
    const input = structuredClone(configInput());
    targetAt(input, 1).route53 = { ...targetAt(input, 1).route53, mode: 'health-check', extraRecords: [extra] };
    expect(validateConfig(input).ok).toBe(true);
    const problems = problemsOf((c) => {
      targetAt(c, 0).route53 = { ...targetAt(c, 0).route53, extraRecords: [extra] };
      targetAt(c, 1).route53 = { ...targetAt(c, 1).route53, mode: 'health-check', extraRecords: [{ ...extra, hostedZoneId: '/hostedzone/Z0OTHERZONE', recordName: 'API6.example.com.' }] };
    });
    expect(lines(problems)).toEqual([
      'targets[0].route53.extraRecords[0]: applies only with route53.mode: health-check (weight mode changes one weighted record)',
      'targets[1].route53.extraRecords[0]: binds the same record (api6.example.com AAAA, SetIdentifier eu) as targets[0].route53.extraRecords[0]: a record takes one health check',
    ]);
  });
});
