import { makeConfig } from '../../../test/support/fixtures';
import type { RecordSetView } from '../types';
import { planRoute, routingFromRecords, wholeZonePlan } from './route-plan';

const config = makeConfig();
const targets = config.targets;

function records(weights: Record<string, number>): RecordSetView[] {
  return Object.entries(weights).map(([setIdentifier, weight]) => ({
    hostedZoneId: 'Z0123456789EXAMPLE', name: 'api.example.com.', type: 'A', setIdentifier, weight, ttl: 60, resourceRecords: [`192.0.2.${weight}`], healthCheckId: `hc-${setIdentifier}`,
  }));
}

describe('planRoute', () => {
  it('is empty when Route 53 already matches the decision', () => {
    const plan = planRoute(targets, { 'eu-west-1': 'drained' }, records({ 'us-east-1': 100, 'eu-west-1': 0, 'ap-southeast-2': 100 }));
    expect(plan).toEqual({ byZone: {}, changes: [], missing: [] });
  });

  it('UPSERTs only the record that differs, a copy with only the weight changed', () => {
    const current = records({ 'us-east-1': 100, 'eu-west-1': 100, 'ap-southeast-2': 100 });
    const plan = planRoute(targets, { 'eu-west-1': 'drained' }, current);
    expect(plan.changes).toEqual([{ target: 'eu-west-1', action: 'UPSERT', fromWeight: 100, toWeight: 0, record: { ...current[1]!, weight: 0 } }]);
    expect(plan.byZone).toEqual({ Z0123456789EXAMPLE: plan.changes });
    expect(plan.changes.every((c) => c.action === 'UPSERT')).toBe(true);
  });

  it('restores the configured serving weight', () => {
    const plan = planRoute(targets, {}, records({ 'us-east-1': 100, 'eu-west-1': 0, 'ap-southeast-2': 7 }));
    expect(plan.changes.map((c) => [c.target, c.fromWeight, c.toWeight])).toEqual([['eu-west-1', 0, 100], ['ap-southeast-2', 7, 100]]);
  });

  it('reports targets whose bound record is missing and plans nothing for them', () => {
    const plan = planRoute(targets, { 'us-east-1': 'drained' }, records({ 'eu-west-1': 100 }));
    expect(plan.missing).toEqual(['us-east-1', 'ap-southeast-2']);
    expect(plan.changes).toEqual([]);
  });

  it('matches records whatever the case, trailing dot and /hostedzone/ prefix', () => {
    const odd = records({ 'us-east-1': 100, 'eu-west-1': 100, 'ap-southeast-2': 100 }).map((r) => ({ ...r, hostedZoneId: `/hostedzone/${r.hostedZoneId}`, name: 'API.Example.COM' }));
    const plan = planRoute(targets, { 'us-east-1': 'drained' }, odd);
    expect(plan.missing).toEqual([]);
    expect(plan.changes.map((c) => c.target)).toEqual(['us-east-1']);
    expect(Object.keys(plan.byZone)).toEqual(['Z0123456789EXAMPLE']);
  });

  it('does not touch a record with the same SetIdentifier under another name or type', () => {
    const decoy = { ...records({ 'eu-west-1': 100 })[0]!, name: 'other.example.com.' };
    const plan = planRoute(targets, { 'eu-west-1': 'drained' }, [decoy, ...records({ 'us-east-1': 100, 'ap-southeast-2': 100 })]);
    expect(plan.missing).toEqual(['eu-west-1']);
    expect(plan.changes).toEqual([]);
  });
});

describe('routingFromRecords', () => {
  it('reads weight 0 as drained, other weights as serving, absent records as null', () => {
    expect(routingFromRecords(targets, records({ 'us-east-1': 0, 'eu-west-1': 50 }))).toEqual({ 'us-east-1': 'drained', 'eu-west-1': 'serving', 'ap-southeast-2': null });
  });
});

describe('wholeZonePlan', () => {
  it('widens a zone with a change to every bound record at its decided weight, so one batch carries a whole decision', () => {
    const current = records({ 'us-east-1': 100, 'eu-west-1': 100, 'ap-southeast-2': 100 });
    const routing = { 'eu-west-1': 'drained' as const };
    const plan = wholeZonePlan(targets, routing, current, planRoute(targets, routing, current), new Set());
    expect(plan.byZone['Z0123456789EXAMPLE']!.map((c) => [c.target, c.fromWeight, c.toWeight])).toEqual([['eu-west-1', 100, 0], ['us-east-1', 100, 100], ['ap-southeast-2', 100, 100]]);
    expect(plan.changes).toHaveLength(3);
    expect(plan.changes.every((c) => c.action === 'UPSERT')).toBe(true);
  });

  it('leaves an empty plan empty and never adds an excluded target', () => {
    const matching = records({ 'us-east-1': 100, 'eu-west-1': 0, 'ap-southeast-2': 100 });
    const routing = { 'eu-west-1': 'drained' as const };
    expect(wholeZonePlan(targets, routing, matching, planRoute(targets, routing, matching), new Set()).changes).toEqual([]);
    const current = records({ 'us-east-1': 0, 'eu-west-1': 100, 'ap-southeast-2': 100 });
    const widened = wholeZonePlan(targets, routing, current, planRoute(targets, routing, current), new Set(['us-east-1']));
    expect(widened.changes.map((c) => c.target)).not.toContain('us-east-1');
  });
});
