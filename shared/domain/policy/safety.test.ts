import { servingAfterDrain, enforceSafety, type SafetyEntry } from './safety';

const rules = (minServing: number, maxDrained: number) => ({ minServing, maxDrained, flipCooldownMs: 300_000, recoveryHoldMs: 60_000 });
const entry = (target: string, state: SafetyEntry['state'], lastState: SafetyEntry['lastState'], cause: SafetyEntry['cause'], priority = 0, extra: Partial<SafetyEntry> = {}): SafetyEntry => ({ target, state, lastState, cause, priority, ...extra });

describe('enforceSafety', () => {
  it('lets drains through when the rules allow them, without touching the input', () => {
    const input = [entry('a', 'drained', 'serving', 'quorum-unhealthy', 2), entry('b', 'serving', 'serving', 'healthy')];
    const out = enforceSafety(input, rules(1, 1));
    expect(out.refusals).toEqual([]);
    expect(out.entries.map((e) => e.state)).toEqual(['drained', 'serving']);
    expect(input[0]!.state).toBe('drained');
  });

  it('refuses the lowest-priority new drain first and keeps the best-evidenced one', () => {
    const out = enforceSafety([entry('a', 'drained', 'serving', 'quorum-unhealthy', 2002), entry('b', 'drained', 'serving', 'quorum-unhealthy', 2003), entry('c', 'serving', 'serving', 'healthy')], rules(1, 1));
    expect(out.entries.map((e) => [e.target, e.state, e.cause])).toEqual([['a', 'serving', 'safety-refused'], ['b', 'drained', 'quorum-unhealthy'], ['c', 'serving', 'healthy']]);
    expect(out.refusals).toEqual([{ target: 'a', rule: 'maxDrained', message: 'maxDrained 1: draining a would make 2 drained by automation' }]);
  });

  it('breaks priority ties by target name, so input order never matters', () => {
    const forward = enforceSafety([entry('a', 'drained', 'serving', 'quorum-unhealthy', 5), entry('b', 'drained', 'serving', 'quorum-unhealthy', 5)], rules(1, 1));
    const backward = enforceSafety([entry('b', 'drained', 'serving', 'quorum-unhealthy', 5), entry('a', 'drained', 'serving', 'quorum-unhealthy', 5)], rules(1, 1));
    expect(forward.refusals).toEqual(backward.refusals);
  });

  it('refuses an unforced override that would leave fewer than minServing, but not a forced one', () => {
    const unforced = enforceSafety([entry('a', 'drained', 'serving', 'override', 4000), entry('b', 'drained', 'drained', 'quorum-unhealthy', 2000)], rules(1, 1));
    expect(unforced.refusals).toEqual([{ target: 'a', rule: 'minServing', message: 'minServing 1: draining a would leave 0 serving' }]);
    const forced = enforceSafety([entry('a', 'drained', 'serving', 'forced-override', 5000), entry('b', 'drained', 'drained', 'quorum-unhealthy', 2000)], rules(1, 1));
    // The forced drain stands, and the force excuses minServing: b, drained because it fails, is not restored for it.
    expect(forced.entries.map((e) => [e.target, e.state, e.cause])).toEqual([['a', 'drained', 'forced-override'], ['b', 'drained', 'quorum-unhealthy']]);
    expect(forced.refusals).toEqual([]);
    // Nor is a drain held by its recovery hold restored before the hold is over.
    const held = enforceSafety([entry('a', 'drained', 'serving', 'forced-override', 5000), entry('b', 'drained', 'drained', 'recovery-hold', 100)], rules(1, 1));
    expect(held.entries.map((e) => [e.target, e.state, e.cause])).toEqual([['a', 'drained', 'forced-override'], ['b', 'drained', 'recovery-hold']]);
  });

  it('does not count operator drains against maxDrained', () => {
    const out = enforceSafety([entry('a', 'drained', 'serving', 'override', 4000), entry('b', 'drained', 'serving', 'quorum-unhealthy', 2000), entry('c', 'serving', 'serving', 'healthy')], rules(1, 1));
    expect(out.refusals).toEqual([]);
  });

  it('restores held drains, lowest priority first, until minServing is met', () => {
    const out = enforceSafety([entry('a', 'drained', 'drained', 'no-quorum', 1000), entry('b', 'drained', 'drained', 'recovery-hold', 100), entry('c', 'drained', 'drained', 'quorum-unhealthy', 2000)], rules(2, 1));
    expect(out.entries.map((e) => [e.target, e.state])).toEqual([['a', 'serving'], ['b', 'serving'], ['c', 'drained']]);
  });

  it('leaves fail-static drains alone even below minServing', () => {
    const out = enforceSafety([entry('a', 'drained', 'drained', 'quorum-unhealthy', 0, { failStatic: true }), entry('b', 'serving', 'serving', 'healthy')], rules(2, 0));
    expect(out.entries.map((e) => e.state)).toEqual(['drained', 'serving']);
    expect(out.refusals).toEqual([]);
  });
});

describe('enforceSafety below minServing (a forced drain not yet replicated to this planner)', () => {
  // us-east-1 is drained by an operator's force this planner cannot see yet (no quorum either way: fail
  // static); ap-southeast-2 is drained because a quorum judges it failing.
  const entries = [
    entry('us-east-1', 'drained', 'drained', 'quorum-unhealthy', 0, { failStatic: true }),
    entry('eu-west-1', 'serving', 'serving', 'healthy'),
    entry('ap-southeast-2', 'drained', 'drained', 'quorum-unhealthy', 2),
  ];

  it('counts the fail-static drain as serving for the rule: nothing (here the failing target) is restored to make up for it', () => {
    const { entries: out } = enforceSafety(entries, rules(2, 1));
    expect(out.map((e) => e.state)).toEqual(['drained', 'serving', 'drained']);
  });

  it('does not count it when admitting a new drain: the drain is refused by minServing', () => {
    const { entries: out, refusals } = enforceSafety([
      entry('us-east-1', 'drained', 'drained', 'override', 0, { failStatic: true }),
      entry('eu-west-1', 'drained', 'serving', 'quorum-unhealthy', 2),
      entry('ap-southeast-2', 'serving', 'serving', 'healthy'),
    ], rules(2, 1));
    expect(out.map((e) => e.state)).toEqual(['drained', 'serving', 'serving']);
    expect(refusals).toEqual([expect.objectContaining({ target: 'eu-west-1', rule: 'minServing' })]);
  });

  it('without it, restores the other drain to meet minServing', () => {
    const { entries: out } = enforceSafety(entries.map((e) => ({ ...e, failStatic: false })), rules(2, 1));
    expect(out.find((e) => e.target === 'ap-southeast-2')).toMatchObject({ state: 'drained' });
    expect(out.filter((e) => e.state === 'serving')).toHaveLength(2);
  });
});

describe('servingAfterDrain', () => {
  it('counts the targets left serving if one more were drained', () => {
    expect(servingAfterDrain({ a: 'serving', b: 'serving', c: 'drained' }, 'a')).toBe(1);
    expect(servingAfterDrain({ a: 'drained', b: 'serving' }, 'a')).toBe(1);
  });
});
