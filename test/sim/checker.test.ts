/**
 * The checker's teeth: each invariant, on a small hand-written history and fault timeline, is
 * reported when broken (with its target and time) and stays quiet when the same history is fine.
 */
import { checkHistory, type CheckInput, type InvariantName } from '../../sim/checker';
import type { ActiveFault } from '../../sim/faults';
import { History, type HistoryEntry } from '../../sim/history';
import { parseScenario, type Scenario } from '../../sim/scenario';
import { simConfig } from '../../sim/sim-config';

const allServing = { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' } as const;
const observers = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

function scenario(extra = ''): Scenario {
  return parseScenario(`name: checker-unit\ntitle: unit\nsafetyMs: 300000\nlivenessMs: 300000\nfaults: []\nexpect: {}\n${extra}`, 'checker-unit.yml');
}

function down(target: string, atMs: number, untilMs: number, index = 0): ActiveFault {
  return { index, spec: { kind: 'target', target, behaviour: 'down', atMs, untilMs }, atMs, untilMs };
}

function run(entries: HistoryEntry[], faults: ActiveFault[], options: { scenario?: Scenario; safety?: Record<string, unknown>; route53?: Record<string, 'serving' | 'drained'> } = {}) {
  const s = options.scenario ?? scenario();
  const config = simConfig({ name: s.name, config: { safety: options.safety ?? {} } });
  const history = new History();
  for (const e of [...entries].sort((a, b) => a.atMs - b.atMs)) history.add(e);
  const input: CheckInput = { config, scenario: s, history, faults, clockSkewMsMax: 0, final: { endMs: 600_000, route53: options.route53 ?? { ...allServing }, views: [] } };
  return checkHistory(input);
}

function invariants(result: ReturnType<typeof run>): InvariantName[] {
  return result.violations.map((v) => v.invariant);
}

const unhealthy = (observer: string, target: string, atMs: number): HistoryEntry => ({ atMs, kind: 'verdict', observer, target, status: 'unhealthy', reason: 'test' });
const healthy = (observer: string, target: string, atMs: number): HistoryEntry => ({ atMs, kind: 'verdict', observer, target, status: 'healthy', reason: 'test' });
const change = (atMs: number, target: string, fromWeight: number, toWeight: number, decisionId = `d-${atMs}`, changeId = `C${atMs}`): HistoryEntry => ({ atMs, kind: 'dns-change', observer: 'us-east-1', changeId, decisionId, changes: [{ target, fromWeight, toWeight }], insyncAtMs: atMs + 5_000 });

describe('checker (ground truth)', () => {
  it('accepts a drain of a really failing target backed by a quorum of live observers, and its restore after the hold', () => {
    const entries = [unhealthy('us-east-1', 'eu-west-1', 62_000), unhealthy('ap-southeast-2', 'eu-west-1', 63_000), change(64_000, 'eu-west-1', 100, 0),
      healthy('us-east-1', 'eu-west-1', 200_000), healthy('ap-southeast-2', 'eu-west-1', 200_000), change(400_000, 'eu-west-1', 0, 100)];
    expect(run(entries, [down('eu-west-1', 60_000, 190_000)])).toEqual({ valid: true, violations: [] });
  });

  it('reports a false drain of a target that was fine, even with a quorum of observers saying otherwise', () => {
    const entries = [unhealthy('us-east-1', 'eu-west-1', 62_000), unhealthy('ap-southeast-2', 'eu-west-1', 63_000), change(64_000, 'eu-west-1', 100, 0)];
    const result = run(entries, [], { route53: { ...allServing, 'eu-west-1': 'drained' } });
    expect(result.violations).toContainEqual(expect.objectContaining({ invariant: 'false-drain', target: 'eu-west-1', atMs: 64_000 }));
  });

  it('reports a drain that lands after the fault ended', () => {
    const entries = [unhealthy('us-east-1', 'eu-west-1', 62_000), unhealthy('ap-southeast-2', 'eu-west-1', 63_000), change(95_000, 'eu-west-1', 100, 0), change(500_000, 'eu-west-1', 0, 100)];
    const result = run(entries, [down('eu-west-1', 60_000, 90_000)]);
    expect(result.violations).toContainEqual(expect.objectContaining({ invariant: 'false-drain', target: 'eu-west-1', atMs: 95_000, detail: expect.stringContaining('ended 5000 ms before') }));
  });

  it('does not count a dead observer\'s last words as evidence', () => {
    const regionDown: ActiveFault = { index: 1, spec: { kind: 'region-down', region: 'us-east-1', atMs: 50_000, untilMs: 300_000 }, atMs: 50_000, untilMs: 300_000 };
    const entries = [unhealthy('us-east-1', 'eu-west-1', 45_000), unhealthy('ap-southeast-2', 'eu-west-1', 63_000), change(64_000, 'eu-west-1', 100, 0)];
    const result = run(entries, [down('eu-west-1', 60_000, 190_000), regionDown]);
    expect(result.violations).toContainEqual(expect.objectContaining({ invariant: 'quorum-evidence', target: 'eu-west-1' }));
  });

  it('keeps counting an observer that stays unhealthy longer than the freshness window', () => {
    const entries = [unhealthy('us-east-1', 'eu-west-1', 62_000), unhealthy('ap-southeast-2', 'eu-west-1', 63_000), change(250_000, 'eu-west-1', 100, 0)];
    const result = run(entries, [down('eu-west-1', 60_000, 290_000)], { route53: { ...allServing, 'eu-west-1': 'drained' }, scenario: scenario('') });
    expect(invariants(result)).not.toContain('quorum-evidence');
  });

  it('reports a dead target left serving past the bound while a quorum is alive and linked, and not when Route 53 cannot be changed', () => {
    const result = run([], [down('eu-west-1', 60_000, 290_000)]);
    expect(result.violations).toContainEqual(expect.objectContaining({ invariant: 'dead-left-serving', target: 'eu-west-1', atMs: 180_000 }));
    const outage: ActiveFault = { index: 1, spec: { kind: 'route53-outage', atMs: 0, untilMs: 300_000 }, atMs: 0, untilMs: 300_000 };
    expect(invariants(run([], [down('eu-west-1', 60_000, 290_000), outage]))).not.toContain('dead-left-serving');
  });

  it('reports a held drain of a recovered target that blocks draining a dead one (maxDrained 1)', () => {
    const entries = [unhealthy('us-east-1', 'us-east-1', 12_000), unhealthy('ap-southeast-2', 'us-east-1', 12_000), change(15_000, 'us-east-1', 100, 0)];
    const result = run(entries, [down('us-east-1', 10_000, 40_000, 0), down('eu-west-1', 60_000, 290_000, 1)]);
    expect(result.violations).toContainEqual(expect.objectContaining({ invariant: 'held-drain-blocks-failover', target: 'eu-west-1' }));
    expect(invariants(result)).not.toContain('dead-left-serving');
  });

  it('does not ask for a drain the safety rules forbid when every drained target really fails', () => {
    const entries = [unhealthy('us-east-1', 'us-east-1', 12_000), unhealthy('ap-southeast-2', 'us-east-1', 12_000), change(15_000, 'us-east-1', 100, 0)];
    const result = run(entries, [down('us-east-1', 10_000, 290_000, 0), down('eu-west-1', 60_000, 290_000, 1)]);
    expect(invariants(result)).not.toContain('dead-left-serving');
    expect(invariants(result)).not.toContain('held-drain-blocks-failover');
  });

  it('reports a restore of a target that is still failing, one inside the cooldown, and one without a healthy quorum for the hold', () => {
    const entries = [unhealthy('us-east-1', 'eu-west-1', 62_000), unhealthy('ap-southeast-2', 'eu-west-1', 63_000), change(64_000, 'eu-west-1', 100, 0), change(120_000, 'eu-west-1', 0, 100)];
    const result = run(entries, [down('eu-west-1', 60_000, 290_000)]);
    expect(invariants(result)).toEqual(expect.arrayContaining(['restore-while-failing', 'cooldown', 'recovery-hold']));
  });

  describe('a held drain released for a new failure in the data plane (each target flips alone)', () => {
    const flip = (atMs: number, target: string, healthy: boolean): HistoryEntry => ({ atMs, kind: 'health-check', target, healthy } as HistoryEntry);
    const gate = () => scenario('mode: gate');
    // eu-west-1 fails and is drained; it recovers inside the cooldown; ap-southeast-2 then dies and maxDrained is 1.
    const evidence = [unhealthy('us-east-1', 'eu-west-1', 62_000), unhealthy('eu-west-1', 'eu-west-1', 62_000), unhealthy('ap-southeast-2', 'eu-west-1', 62_500), flip(64_000, 'eu-west-1', false),
      healthy('us-east-1', 'eu-west-1', 110_000), healthy('eu-west-1', 'eu-west-1', 110_000), healthy('ap-southeast-2', 'eu-west-1', 110_000),
      unhealthy('us-east-1', 'ap-southeast-2', 151_000), unhealthy('eu-west-1', 'ap-southeast-2', 151_500)];
    const faults = [down('eu-west-1', 60_000, 100_000), down('ap-southeast-2', 140_000, 590_000, 1)];

    it('is one swap when the new drain follows the release within voteSettleMs (40 s for gate votes at the 30 s interval)', () => {
      const result = run([...evidence, flip(160_000, 'eu-west-1', true), flip(175_000, 'ap-southeast-2', false)], faults, { scenario: gate() });
      expect(invariants(result)).not.toContain('cooldown');
      expect(invariants(result)).not.toContain('recovery-hold');
    });

    it('is a restore inside the cooldown when the new drain comes later than voteSettleMs', () => {
      const result = run([...evidence, flip(160_000, 'eu-west-1', true), flip(201_000, 'ap-southeast-2', false)], faults, { scenario: gate() });
      expect(invariants(result)).toContain('cooldown');
    });

    it('is a restore inside the cooldown when the target drained next was not really failing', () => {
      const result = run([...evidence, flip(160_000, 'eu-west-1', true), flip(175_000, 'ap-southeast-2', false)], [faults[0]!], { scenario: gate() });
      expect(invariants(result)).toEqual(expect.arrayContaining(['cooldown', 'false-drain']));
    });

    it('is a restore inside the cooldown when the drain that follows is an operator\'s', () => {
      const override: HistoryEntry = { atMs: 170_000, kind: 'override', region: 'eu-west-1', target: 'ap-southeast-2', action: 'drain', id: 'ov-ops', expiresAtMs: 900_000, force: false, source: 'api' } as HistoryEntry;
      const result = run([...evidence, flip(160_000, 'eu-west-1', true), override, flip(175_000, 'ap-southeast-2', false)], faults, { scenario: gate() });
      expect(invariants(result)).toContain('cooldown');
    });

    it('is a restore inside the cooldown when the target is drained again before the new drain', () => {
      const result = run([...evidence, flip(160_000, 'eu-west-1', true), flip(165_000, 'eu-west-1', false), flip(170_000, 'eu-west-1', true), flip(185_000, 'ap-southeast-2', false)], faults, { scenario: gate() });
      expect(invariants(result).filter((i) => i === 'cooldown').length).toBeGreaterThanOrEqual(1);
    });

    it('is a restore inside the cooldown when no live quorum judged the released target healthy', () => {
      const blind = evidence.filter((e) => !(e.kind === 'verdict' && (e as { status: string }).status === 'healthy' && (e as { observer: string }).observer !== 'us-east-1'));
      const result = run([...blind, flip(160_000, 'eu-west-1', true), flip(175_000, 'ap-southeast-2', false)], faults, { scenario: gate() });
      expect(invariants(result)).toContain('cooldown');
    });

    it('is one swap when the new target\'s failure ends, undrained, within voteSettleMs after the release (draining it then would be a false drain)', () => {
      const shortFailure = [faults[0]!, down('ap-southeast-2', 140_000, 185_000, 1)];
      const result = run([...evidence, flip(160_000, 'eu-west-1', true)], shortFailure, { scenario: gate() });
      expect(invariants(result)).not.toContain('cooldown');
      expect(invariants(result)).not.toContain('recovery-hold');
    });

    it('is a restore inside the cooldown when the new target\'s failure that ended, undrained, was judged unhealthy by no live quorum', () => {
      const shortFailure = [faults[0]!, down('ap-southeast-2', 140_000, 185_000, 1)];
      const unseen = evidence.filter((e) => !(e.kind === 'verdict' && (e as { target: string }).target === 'ap-southeast-2'));
      const result = run([...unseen, flip(160_000, 'eu-west-1', true)], shortFailure, { scenario: gate() });
      expect(invariants(result)).toContain('cooldown');
    });

    it('is a restore inside the cooldown when the new target, never drained, fails on past voteSettleMs after the release', () => {
      const longer = [faults[0]!, down('ap-southeast-2', 140_000, 205_000, 1)];
      const result = run([...evidence, flip(160_000, 'eu-west-1', true)], longer, { scenario: gate() });
      expect(invariants(result)).toContain('cooldown');
    });

    describe('the new failure is judged when the last gate began answering "no drain", if Route 53 read it within voteReadEstimateMs', () => {
      const answer = (atMs: number, observer: string, drain: boolean): HistoryEntry => ({ atMs, kind: 'gate-answer', observer, target: 'eu-west-1', drain });
      const drainAnswers = observers.map((o) => answer(63_000, o, true));
      // ap-southeast-2 fails 140–155 s: during the gates' release at 150 s, no longer at Route 53's restore at 160 s.
      const brief = [faults[0]!, down('ap-southeast-2', 140_000, 155_000, 1)];
      // Judged unhealthy by a quorum before the gates released eu-west-1.
      const judged = [unhealthy('us-east-1', 'ap-southeast-2', 146_000), unhealthy('eu-west-1', 'ap-southeast-2', 146_500)];

      it('is one swap when every gate answered "no drain" by 150 s, while the new target was failing', () => {
        const released = observers.map((o, i) => answer(148_000 + i * 1_000, o, false));
        const result = run([...evidence, ...judged, ...drainAnswers, ...released, flip(160_000, 'eu-west-1', true)], brief, { scenario: gate() });
        expect(invariants(result)).not.toContain('cooldown');
      });

      it('is a restore inside the cooldown when the last gate began answering "no drain" after the new failure ended', () => {
        const released = [answer(148_000, 'us-east-1', false), answer(149_000, 'eu-west-1', false), answer(158_000, 'ap-southeast-2', false)];
        const result = run([...evidence, ...judged, ...drainAnswers, ...released, flip(160_000, 'eu-west-1', true)], brief, { scenario: gate() });
        expect(invariants(result)).toContain('cooldown');
      });

      it('is one swap when a live quorum judged the released target healthy as the gates released it, though two turned suspect before Route 53 read it', () => {
        // Arbiter's act is the release at 150 s; verdicts that change while Route 53 reads it (a path cut at 152 s) do not undo it.
        const released = observers.map((o) => answer(150_000, o, false));
        const suspect = ['us-east-1', 'eu-west-1'].map((o): HistoryEntry => ({ atMs: 152_000, kind: 'verdict', observer: o, target: 'eu-west-1', status: 'suspect', reason: 'test' }));
        const result = run([...evidence, ...judged, ...drainAnswers, ...released, ...suspect, flip(160_000, 'eu-west-1', true)], brief, { scenario: gate() });
        expect(invariants(result)).not.toContain('cooldown');
      });

      it('is a restore inside the cooldown when a quorum judged the released target healthy only after the gates released it', () => {
        const released = observers.map((o) => answer(150_000, o, false));
        const late = evidence.filter((e) => !(e.kind === 'verdict' && (e as { status: string }).status === 'healthy' && (e as { observer: string }).observer !== 'us-east-1'));
        const result = run([...late, healthy('eu-west-1', 'eu-west-1', 155_000), healthy('ap-southeast-2', 'eu-west-1', 155_000), ...judged, ...drainAnswers, ...released, flip(160_000, 'eu-west-1', true)], brief, { scenario: gate() });
        expect(invariants(result)).toContain('cooldown');
      });

      it('is a restore inside the cooldown when Route 53 restored later than voteReadEstimateMs after the gates released it', () => {
        const released = observers.map((o) => answer(150_000, o, false));
        const result = run([...evidence, ...judged, ...drainAnswers, ...released, flip(183_000, 'eu-west-1', true)], brief, { scenario: gate() });
        expect(invariants(result)).toContain('cooldown');
      });
    });

    it('is a restore inside the cooldown in a control-plane run, where the swap must be one batch', () => {
      const result = run([...evidence, flip(160_000, 'eu-west-1', true), flip(175_000, 'ap-southeast-2', false)], faults);
      expect(invariants(result)).toContain('cooldown');
    });
  });

  describe('a data-plane drain is judged when the gate answered it, if Route 53 read it within voteReadEstimateMs (32 s at the 30 s interval)', () => {
    const answer = (atMs: number, observer: string, target: string, drain: boolean): HistoryEntry => ({ atMs, kind: 'gate-answer', observer, target, drain });
    const drainedBy = (atMs: number, target: string, child: string): HistoryEntry => ({ atMs, kind: 'health-check', target, healthy: false, child });
    const gate = () => scenario('mode: gate');
    // eu-west-1 is down 60–90 s; two observers judge it unhealthy; eu-west-1's region stays up.
    const evidence = [unhealthy('us-east-1', 'eu-west-1', 72_000), unhealthy('ap-southeast-2', 'eu-west-1', 72_500)];
    const faults = [down('eu-west-1', 60_000, 90_000)];
    const falseDrains = (entries: HistoryEntry[], options: Parameters<typeof run>[2] = { scenario: gate() }) => run([...evidence, ...entries], faults, options).violations.filter((v) => v.invariant === 'false-drain');

    it('accepts a flip after the fault ended when the flipping child\'s gate began answering drain during it, 20 s before', () => {
      expect(falseDrains([answer(75_000, 'us-east-1', 'eu-west-1', true), drainedBy(95_000, 'eu-west-1', 'us-east-1')])).toEqual([]);
    });

    it('reports it when that gate began answering drain only after the fault ended', () => {
      expect(falseDrains([answer(92_000, 'us-east-1', 'eu-west-1', true), drainedBy(95_000, 'eu-west-1', 'us-east-1')])).toHaveLength(1);
    });

    it('reports it when Route 53 read the answer later than voteReadEstimateMs after it began', () => {
      expect(falseDrains([answer(75_000, 'us-east-1', 'eu-west-1', true), drainedBy(108_000, 'eu-west-1', 'us-east-1')])).toHaveLength(1);
    });

    it('reports it when the gate answered drain during the fault, stopped, and began again after it', () => {
      const entries = [answer(75_000, 'us-east-1', 'eu-west-1', true), answer(80_000, 'us-east-1', 'eu-west-1', false), answer(92_000, 'us-east-1', 'eu-west-1', true), drainedBy(95_000, 'eu-west-1', 'us-east-1')];
      expect(falseDrains(entries)).toHaveLength(1);
    });

    it('accepts it when another gate, not the flipping child\'s, began answering drain during the fault and still answered it at the flip (any one child flips the CALCULATED check)', () => {
      const entries = [answer(75_000, 'ap-southeast-2', 'eu-west-1', true), answer(92_000, 'us-east-1', 'eu-west-1', true), drainedBy(95_000, 'eu-west-1', 'us-east-1')];
      expect(falseDrains(entries)).toEqual([]);
    });

    it('reports it when the gate that answered drain during the fault had stopped before the flip', () => {
      const entries = [answer(75_000, 'ap-southeast-2', 'eu-west-1', true), answer(85_000, 'ap-southeast-2', 'eu-west-1', false), answer(92_000, 'us-east-1', 'eu-west-1', true), drainedBy(95_000, 'eu-west-1', 'us-east-1')];
      expect(falseDrains(entries)).toHaveLength(1);
    });

    // The earlier gate's vote ran 6.5 s and stopped 0.5 s after the flip, too short for its own
    // child to be sure to be read (more than 18 % of its checkers, each reading once per 30 s):
    // without us-east-1's vote, begun 2 s after the fault ended, nothing would have drained.
    it('reports it when the earlier gate\'s vote stopped right after the flip, before its own child could be read', () => {
      const entries = [answer(89_000, 'ap-southeast-2', 'eu-west-1', true), answer(92_000, 'us-east-1', 'eu-west-1', true), drainedBy(95_000, 'eu-west-1', 'us-east-1'), answer(95_500, 'ap-southeast-2', 'eu-west-1', false)];
      expect(falseDrains(entries)).toHaveLength(1);
    });

    // The earlier gate's region died at 93 s, before the flip (its "no drain" is recorded when a
    // checker next asks it, at 96 s): a dead gate answers no 2xx and drained nothing at 95 s.
    it('reports it when the earlier gate\'s region was dead at the flip', () => {
      const gateDies: ActiveFault = { index: 1, spec: { kind: 'region-down', region: 'ap-southeast-2', atMs: 93_000, untilMs: 200_000 }, atMs: 93_000, untilMs: 200_000 };
      const entries = [answer(89_000, 'ap-southeast-2', 'eu-west-1', true), answer(92_000, 'us-east-1', 'eu-west-1', true), drainedBy(95_000, 'eu-west-1', 'us-east-1'), answer(96_000, 'ap-southeast-2', 'eu-west-1', false)];
      const result = run([...evidence, ...entries], [...faults, gateDies], { scenario: gate() });
      expect(result.violations.filter((v) => v.invariant === 'false-drain')).toHaveLength(1);
    });

    it('reports it when the other gate\'s answer began longer than voteReadEstimateMs before the flip', () => {
      const entries = [answer(61_000, 'ap-southeast-2', 'eu-west-1', true), answer(92_000, 'us-east-1', 'eu-west-1', true), drainedBy(95_000, 'eu-west-1', 'us-east-1')];
      expect(falseDrains(entries)).toHaveLength(1);
    });

    describe('and so is its quorum of evidence: ap-southeast-2, one of the two judges, dies at 80 s', () => {
      const judgeDies: ActiveFault = { index: 1, spec: { kind: 'region-down', region: 'ap-southeast-2', atMs: 80_000, untilMs: 200_000 }, atMs: 80_000, untilMs: 200_000 };
      const quorumGaps = (entries: HistoryEntry[]) => run([...evidence, ...entries], [...faults, judgeDies], { scenario: gate() }).violations.filter((v) => v.invariant === 'quorum-evidence');

      it('accepts a flip at 85 s when the gate began answering drain at 75 s, while both judges were alive', () => {
        expect(quorumGaps([answer(75_000, 'us-east-1', 'eu-west-1', true), drainedBy(85_000, 'eu-west-1', 'us-east-1')])).toEqual([]);
      });

      it('reports it when the gate began answering drain only after that judge died', () => {
        expect(quorumGaps([answer(82_000, 'us-east-1', 'eu-west-1', true), drainedBy(85_000, 'eu-west-1', 'us-east-1')])).toHaveLength(1);
      });
    });

    it('reports a control-plane change sent after the fault ended, whatever a gate answered', () => {
      const entries = [answer(75_000, 'us-east-1', 'eu-west-1', true), change(95_000, 'eu-west-1', 100, 0), change(500_000, 'eu-west-1', 0, 100)];
      expect(falseDrains(entries, {})).toHaveLength(1);
    });
  });

  it('reports automation draining more than maxDrained, and fewer than minServing serving', () => {
    const entries = [
      unhealthy('us-east-1', 'eu-west-1', 62_000), unhealthy('ap-southeast-2', 'eu-west-1', 62_000), unhealthy('us-east-1', 'ap-southeast-2', 62_000), unhealthy('eu-west-1', 'ap-southeast-2', 62_000),
      change(64_000, 'eu-west-1', 100, 0), change(65_000, 'ap-southeast-2', 100, 0),
    ];
    const faults = [down('eu-west-1', 60_000, 290_000, 0), down('ap-southeast-2', 60_000, 290_000, 1)];
    expect(invariants(run(entries, faults))).toContain('max-drained');
    expect(invariants(run(entries, faults, { safety: { minServing: 2, maxDrained: 1 } }))).toContain('min-serving');
    expect(invariants(run(entries, faults, { safety: { minServing: 1, maxDrained: 2 } }))).not.toContain('min-serving');
    expect(invariants(run(entries, faults, { safety: { minServing: 1, maxDrained: 2 } }))).not.toContain('max-drained');
  });

  it('counts a drain automation made as the operator\'s while an operator\'s drain override of it is in force, and as automation\'s before and after', () => {
    // us-east-1 is drained by automation at 64 s; the operator drains it too at 100 s (ttl 200 s); ap-southeast-2 dies and is drained at 150 s (maxDrained 1).
    const evidence = [unhealthy('eu-west-1', 'us-east-1', 62_000), unhealthy('ap-southeast-2', 'us-east-1', 62_000), change(64_000, 'us-east-1', 100, 0),
      unhealthy('us-east-1', 'ap-southeast-2', 148_000), unhealthy('eu-west-1', 'ap-southeast-2', 148_000)];
    const faults = [down('us-east-1', 60_000, 590_000, 0), down('ap-southeast-2', 140_000, 590_000, 1)];
    const override = (atMs: number, force = false): HistoryEntry => ({ atMs, kind: 'override', region: 'eu-west-1', target: 'us-east-1', action: 'drain', id: `o-${atMs}`, expiresAtMs: atMs + 200_000, force } as HistoryEntry);
    expect(invariants(run([...evidence, override(100_000), change(150_000, 'ap-southeast-2', 100, 0)], faults, { safety: { maxDrained: 1 } }))).not.toContain('max-drained');
    expect(invariants(run([...evidence, change(150_000, 'ap-southeast-2', 100, 0)], faults, { safety: { maxDrained: 1 } }))).toContain('max-drained');
    expect(invariants(run([...evidence, override(155_000), change(150_000, 'ap-southeast-2', 100, 0)], faults, { safety: { maxDrained: 1 } }))).toContain('max-drained');
    expect(invariants(run([...evidence, override(-300_000), change(150_000, 'ap-southeast-2', 100, 0)], faults, { safety: { maxDrained: 1 } }))).toContain('max-drained');
    expect(invariants(run([...evidence, override(100_000), change(150_000, 'ap-southeast-2', 100, 0)], faults, { safety: { maxDrained: 1, minServing: 2 } }))).toContain('min-serving');
    expect(invariants(run([...evidence, override(100_000, true), change(150_000, 'ap-southeast-2', 100, 0)], faults, { safety: { maxDrained: 1, minServing: 2 } }))).not.toContain('min-serving');
  });

  it('excuses a forced override only for the rule it forced, for its own target', () => {
    const forced: HistoryEntry = { atMs: 50_000, kind: 'override', region: 'us-east-1', target: 'eu-west-1', action: 'drain', id: 'o1', expiresAtMs: 400_000, force: true };
    const entries = [forced, change(51_000, 'eu-west-1', 100, 0), change(400_500, 'eu-west-1', 0, 100)];
    expect(invariants(run(entries, [], { safety: { minServing: 3, maxDrained: 0 } }))).not.toContain('min-serving');
    const unforced = { ...forced, force: false } as HistoryEntry;
    expect(invariants(run([unforced, change(51_000, 'eu-west-1', 100, 0), change(400_500, 'eu-west-1', 0, 100)], [], { safety: { minServing: 3, maxDrained: 0 } }))).toContain('min-serving');
  });

  it('reports a change planned from an older state than the one it overwrote, and a decision applied twice', () => {
    const entries = [unhealthy('us-east-1', 'eu-west-1', 62_000), unhealthy('ap-southeast-2', 'eu-west-1', 63_000), change(64_000, 'eu-west-1', 100, 0, 'd-1', 'C1'), change(64_200, 'eu-west-1', 100, 0, 'd-1', 'C2')];
    const result = run(entries, [down('eu-west-1', 60_000, 290_000)], { route53: { ...allServing, 'eu-west-1': 'drained' } });
    expect(result.violations).toContainEqual(expect.objectContaining({ invariant: 'lost-update', target: 'eu-west-1', atMs: 64_200 }));
    const stale = [...entries.slice(0, 3), change(64_200, 'eu-west-1', 100, 100, 'd-2', 'C2')];
    expect(invariants(run(stale, [down('eu-west-1', 60_000, 290_000)]))).toContain('lost-update');
  });

  it('reports an operator drain that never reached Route 53, unless a safety rule refused it by name', () => {
    const override: HistoryEntry = { atMs: 50_000, kind: 'override', region: 'us-east-1', target: 'eu-west-1', action: 'drain', id: 'o1', expiresAtMs: 200_000, force: false };
    expect(run([override], [])).toMatchObject({ valid: false, violations: [expect.objectContaining({ invariant: 'override-honoured', target: 'eu-west-1' })] });
    const refusal: HistoryEntry = { atMs: 55_000, kind: 'refusal', observer: 'us-east-1', target: 'eu-west-1', rule: 'minServing' };
    expect(invariants(run([override, refusal], []))).not.toContain('override-honoured');
  });

  it('lists every violation of a run, in time order, not only the first', () => {
    const entries = [change(10_000, 'eu-west-1', 100, 0), change(20_000, 'ap-southeast-2', 100, 0)];
    const result = run(entries, [], { route53: { ...allServing, 'eu-west-1': 'drained', 'ap-southeast-2': 'drained' } });
    const falseDrains = result.violations.filter((v) => v.invariant === 'false-drain');
    expect(falseDrains.map((v) => v.target)).toEqual(['eu-west-1', 'ap-southeast-2']);
    expect(result.violations.map((v) => v.atMs)).toEqual([...result.violations.map((v) => v.atMs)].sort((a, b) => a - b));
    expect(observers).toHaveLength(3);
  });
});
