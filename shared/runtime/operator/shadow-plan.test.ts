import { makeDataPlaneConfig } from '../../../test/support/fixtures';
import { appliedOf, proposalWanting, unanimous } from '../../../test/unit/support/core-builders';
import { hysteresisMarginMs, type Proposal } from '../../domain';
import type { StoreView } from '../../ports';
import { shadowPlan } from './shadow-plan';

describe('shadowPlan over a data-plane drain first voted after its decision', () => {
  const config = makeDataPlaneConfig(); // maxDrained 1, cooldown 300 s
  const decidedMs = 1_000_000;
  // eu-west-1 was drained at decidedMs; its vote was withheld while a release settled, and first voted 45 s later.
  const votedMs = decidedMs + 45_000;
  const applied = appliedOf({ 'us-east-1': 'serving', 'eu-west-1': 'drained', 'ap-southeast-2': 'serving' }, decidedMs, { 'eu-west-1': decidedMs });
  // Past the cooldown counted from the decision, inside the one counted from the first vote.
  const nowMs = decidedMs + config.safety.flipCooldownMs + hysteresisMarginMs(config.safety.flipCooldownMs) + 5_000;

  function view(voted: Record<string, number>): StoreView {
    const proposals: Proposal[] = config.observers.map((o) => {
      const p = proposalWanting(config, o, { 'eu-west-1': 'drained' }, nowMs - 2_000, 5, applied);
      // Healthy by quorum since long before: only the cooldown can hold it.
      p.targets['eu-west-1'] = { ...p.targets['eu-west-1']!, cause: 'cooldown', healthyQuorumSinceMs: decidedMs + 10_000 };
      return { ...p, votedDrains: voted };
    });
    return { snapshots: unanimous(config, 'healthy', nowMs - 1_000), proposals, applied: [applied], overrides: [], overrideEnds: [], signals: [], heartbeats: [] };
  }

  it('holds the drain by the cooldown from its first vote, so a shadow failure of another target releases it as a swap', () => {
    const plan = shadowPlan(config, view({ 'eu-west-1': votedMs }), [], 'ap-southeast-2', nowMs);
    expect(plan.wouldDrain).toBe(true);
    expect(plan.routing).toMatchObject({ 'eu-west-1': 'serving', 'ap-southeast-2': 'drained' });
    expect(plan.causes['eu-west-1']).toMatch(/^released:/);
    expect(plan.causes['eu-west-1']).toContain('its drain was first voted only');
  });

  it('counts the cooldown from the decision when no gate is known to have voted it: the restore is due on its own', () => {
    const plan = shadowPlan(config, view({}), [], 'ap-southeast-2', nowMs);
    expect(plan.wouldDrain).toBe(true);
    expect(plan.causes['eu-west-1']).toMatch(/^healthy:/);
  });
});
