import { makeConfig } from '../../../test/support/fixtures';
import { snapshotOf } from '../../../test/unit/support/core-builders';
import { latestSnapshots, tallyTarget } from './tally';

const config = makeConfig();
const observers = config.observers; // us-east-1, eu-west-1, ap-southeast-2
const freshnessMs = 60_000;

describe('quorum tally', () => {
  it('counts each observer\'s fresh verdict and needs floor(n/2)+1', () => {
    const snapshots = latestSnapshots([
      snapshotOf('us-east-1', { 'eu-west-1': 'unhealthy' }, 100_000),
      snapshotOf('eu-west-1', { 'eu-west-1': 'suspect' }, 100_000),
      snapshotOf('ap-southeast-2', { 'eu-west-1': 'healthy' }, 100_000),
    ]);
    const tally = tallyTarget({ target: 'eu-west-1', observers, snapshots, nowMs: 110_000, freshnessMs });
    expect(tally).toMatchObject({ quorum: 2, healthy: 1, suspect: 1, unhealthy: 1, unknown: 0 });
    expect(tally.byObserver).toEqual({ 'us-east-1': 'unhealthy', 'eu-west-1': 'suspect', 'ap-southeast-2': 'healthy' });
  });

  it('counts a verdict older than the freshness window as unknown, and one exactly at the edge as fresh', () => {
    const snapshots = latestSnapshots([
      snapshotOf('us-east-1', { 'eu-west-1': 'unhealthy' }, 40_000),
      snapshotOf('eu-west-1', { 'eu-west-1': 'unhealthy' }, 39_999),
    ]);
    const tally = tallyTarget({ target: 'eu-west-1', observers, snapshots, nowMs: 100_000, freshnessMs });
    expect(tally.byObserver).toEqual({ 'us-east-1': 'unhealthy', 'eu-west-1': 'unknown', 'ap-southeast-2': 'unknown' });
    expect(tally).toMatchObject({ unhealthy: 1, unknown: 2 });
  });

  it('counts a snapshot that does not mention the target as unknown', () => {
    const snapshots = latestSnapshots([snapshotOf('us-east-1', { 'us-east-1': 'healthy' }, 100_000)]);
    expect(tallyTarget({ target: 'eu-west-1', observers, snapshots, nowMs: 100_000, freshnessMs }).unknown).toBe(3);
  });

  it('ignores snapshots from regions that are not configured observers', () => {
    const snapshots = latestSnapshots([snapshotOf('sa-east-1', { 'eu-west-1': 'unhealthy' }, 100_000)]);
    const tally = tallyTarget({ target: 'eu-west-1', observers, snapshots, nowMs: 100_000, freshnessMs });
    expect(tally.unhealthy).toBe(0);
    expect(Object.keys(tally.byObserver)).toEqual([...observers]);
  });

  it('keeps only the newest snapshot per observer: highest seq, then newest write', () => {
    const latest = latestSnapshots([
      snapshotOf('us-east-1', { x: 'unhealthy' }, 5, 3),
      snapshotOf('us-east-1', { x: 'healthy' }, 9, 2),
      snapshotOf('eu-west-1', { x: 'healthy' }, 5, 1),
      snapshotOf('eu-west-1', { x: 'suspect' }, 6, 1),
    ]);
    expect(latest.get('us-east-1')!.verdicts.x!.status).toBe('unhealthy');
    expect(latest.get('eu-west-1')!.verdicts.x!.status).toBe('suspect');
  });
});
