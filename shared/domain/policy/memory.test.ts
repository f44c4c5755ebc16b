import { makeConfig } from '../../../test/support/fixtures';
import { proposalInput, snapshotOf } from '../../../test/unit/support/core-builders';
import { parseArbiterEvent } from '../events';
import { computeProposal } from './proposal';
import { rememberedSnapshots } from './memory';

const nowMs = 1_700_000_000_000;
const config = makeConfig();

describe('remembered evidence', () => {
  // ap-southeast-2 judges eu-west-1 unhealthy on a round that failed 500 ms before its write, and
  // us-east-1 unhealthy still, though its latest round passed (a recovery not yet confirmed).
  const peer = snapshotOf('ap-southeast-2', { 'us-east-1': 'unhealthy', 'eu-west-1': 'unhealthy', 'ap-southeast-2': 'healthy' }, nowMs, 9);
  peer.verdicts['eu-west-1'] = { ...peer.verdicts['eu-west-1']!, consecutiveFailures: 3, probedMs: nowMs - 500 };
  peer.verdicts['us-east-1'] = { ...peer.verdicts['us-east-1']!, consecutivePasses: 1, probedMs: nowMs - 400 };

  it('keeps when a target\'s latest round failed, and only for a round that failed, through the wire', () => {
    const proposal = computeProposal(proposalInput(config, nowMs, [peer]));
    expect(proposal.evidence!['ap-southeast-2']!.failedMs).toEqual({ 'eu-west-1': nowMs - 500 });
    const wire = JSON.parse(JSON.stringify({ type: 'proposal', observer: 'us-east-1', proposal })) as unknown;
    const parsed = parseArbiterEvent(wire);
    expect(parsed.ok && parsed.event.type === 'proposal' && parsed.event.proposal.evidence!['ap-southeast-2']!.failedMs).toEqual({ 'eu-west-1': nowMs - 500 });
    const bad = JSON.parse(JSON.stringify(wire)) as { proposal: { evidence: Record<string, { failedMs: unknown }> } };
    bad.proposal.evidence['ap-southeast-2']!.failedMs = { 'eu-west-1': 'soon' };
    const refused = parseArbiterEvent(bad);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toMatch(/failedMs/);
  });

  it('gives the next pass, whose replica lacks the snapshot, a failed round where one failed and none where one passed', () => {
    const previous = computeProposal(proposalInput(config, nowMs, [peer]));
    const { latest } = rememberedSnapshots([], previous);
    const remembered = latest.get('ap-southeast-2')!;
    expect(remembered.seq).toBe(9);
    expect(remembered.verdicts['eu-west-1']).toMatchObject({ status: 'unhealthy', consecutiveFailures: 1, probedMs: nowMs - 500 });
    expect(remembered.verdicts['us-east-1']).toMatchObject({ status: 'unhealthy', consecutiveFailures: 0, probedMs: nowMs });
    // And remembered again as it was: a pass that read nothing newer writes the same header.
    const next = computeProposal(proposalInput(config, nowMs + 2_000, [], { previous, seq: 2 }));
    expect(next.evidence!['ap-southeast-2']).toEqual(previous.evidence!['ap-southeast-2']);
  });
});
