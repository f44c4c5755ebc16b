import { makeConfig } from '../../test/support/fixtures';
import { alarmSignal, appliedOf, overrideOf, proposalInput, someObservers, snapshotOf } from '../../test/unit/support/core-builders';
import { admitEvent, detailTypes, parseArbiterEvent, type ArbiterEvent } from './events';
import { configHash } from './config';
import { computeProposal } from './policy/proposal';

const nowMs = 1_700_000_000_000;
const config = makeConfig();

/** One event of every type, built by the core itself (what handlers really receive). */
function everyEvent(): ArbiterEvent[] {
  const snapshots = someObservers(config, 'eu-west-1', 'unhealthy', 2, nowMs);
  const lastApplied = appliedOf({ 'us-east-1': 'serving', 'eu-west-1': 'drained', 'ap-southeast-2': 'serving' }, nowMs - 1000, { 'eu-west-1': nowMs - 1000 });
  const proposal = computeProposal(proposalInput(config, nowMs, snapshots, { lastApplied }));
  const override = overrideOf('us-east-1', 'drain', nowMs, nowMs + 3_600_000, { force: true, source: 'drill', drillId: 'dr-1' });
  return [
    { type: 'verdicts', observer: 'us-east-1', snapshot: snapshotOf('us-east-1', { 'eu-west-1': 'suspect' }, nowMs, 7) },
    { type: 'probe-now', observer: 'us-east-1', target: 'eu-west-1', reason: 'first failure', requestedMs: nowMs, alarmName: 'eu-5xx' },
    { type: 'proposal', observer: 'us-east-1', proposal },
    { type: 'proposal', observer: 'us-east-1', proposal: { ...proposal, targets: { ...proposal.targets, 'eu-west-1': { ...proposal.targets['eu-west-1']!, ownRoundPassed: true } } } },
    { type: 'applied', observer: 'eu-west-1', applied: lastApplied },
    { type: 'override', observer: 'us-east-1', override },
    { type: 'override-end', observer: 'us-east-1', end: { overrideId: override.id, endedMs: nowMs + 5, actor: 'ops', reason: 'done' } },
    { type: 'signal', observer: 'us-east-1', signal: alarmSignal('eu-5xx', 'eu-west-1', 'ALARM', nowMs) },
    { type: 'drill-report', observer: 'us-east-1', report: { id: 'dr-1', target: 'eu-west-1', passed: true, rtoMs: 41_000 } },
  ];
}

describe('parseArbiterEvent', () => {
  it('accepts every event the core builds, after a JSON round trip, without losing a field', () => {
    const events = everyEvent();
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(Object.keys(detailTypes)));
    for (const event of events) {
      const wire = JSON.parse(JSON.stringify(event)) as unknown;
      const parsed = parseArbiterEvent(wire);
      expect(parsed).toEqual({ ok: true, event: wire });
    }
  });

  it('rejects a malformed detail with a reason naming the field', () => {
    const bad = parseArbiterEvent({ type: 'probe-now', observer: 'us-east-1', target: 'eu-west-1', reason: 'x', requestedMs: -1 });
    expect(bad).toEqual({ ok: false, reason: expect.stringMatching(/^requestedMs: /) });
    expect(parseArbiterEvent({ type: 'nonsense' }).ok).toBe(false);
    expect(parseArbiterEvent(null)).toEqual({ ok: false, reason: expect.stringMatching(/^\(root\): /) });
  });
});

describe('admitEvent', () => {
  const proposal = computeProposal(proposalInput(config, nowMs, someObservers(config, 'eu-west-1', 'healthy', 3, nowMs)));

  it('admits a proposal made under this config, and keeps its config hash through parsing', () => {
    const event: ArbiterEvent = { type: 'proposal', observer: 'us-east-1', proposal };
    expect(admitEvent(config, event)).toBeNull();
    const parsed = parseArbiterEvent(JSON.parse(JSON.stringify(event)));
    expect(parsed.ok && parsed.event.type === 'proposal' && parsed.event.proposal.configHash).toBe(configHash(config));
  });

  it('ignores, with a reason, an event from an unknown observer and a proposal made under another config', () => {
    expect(admitEvent(config, { type: 'proposal', observer: 'sa-east-1', proposal: { ...proposal, observer: 'sa-east-1' } })).toMatch(/sa-east-1, which is not a configured observer/);
    const other = makeConfig({ safety: { minServing: 1, maxDrained: 1, flipCooldownMs: 60_000, recoveryHoldMs: 60_000 } });
    expect(configHash(other)).not.toBe(configHash(config));
    expect(admitEvent(other, { type: 'proposal', observer: 'us-east-1', proposal })).toMatch(/made under config c-[0-9a-f]{8}, not c-[0-9a-f]{8}/);
  });
});
