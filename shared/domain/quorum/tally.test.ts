import { makeConfig } from '../../../test/support/fixtures';
import { snapshotOf } from '../../../test/unit/support/core-builders';
import { failingFreshnessMs, latestSnapshots, tallyTarget } from './tally';

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

  describe('a snapshot judging anything failing counts only while it is being rewritten', () => {
    const failingMs = failingFreshnessMs(10_000); // 4 rounds of 10 s + the clock bound = 41 s
    // eu-west-1's observer died at 100 s watching ap-southeast-2 fail; the other two are live.
    const snapshots = latestSnapshots([
      snapshotOf('us-east-1', { 'eu-west-1': 'healthy', 'ap-southeast-2': 'unhealthy' }, 140_000),
      snapshotOf('eu-west-1', { 'eu-west-1': 'healthy', 'ap-southeast-2': 'unhealthy' }, 100_000),
      snapshotOf('ap-southeast-2', { 'eu-west-1': 'unhealthy', 'ap-southeast-2': 'healthy' }, 140_000),
    ]);
    const tally = (target: string, nowMs: number, seenMs?: Map<string, number>) => tallyTarget({ target, observers, snapshots, nowMs, freshnessMs, failingFreshnessMs: failingMs, ...(seenMs === undefined ? {} : { seenMs }) });

    it('its healthy verdicts go unknown with its failing ones: a dead observer\'s last words do not vote for a restore', () => {
      expect(tally('eu-west-1', 141_000).byObserver).toEqual({ 'us-east-1': 'healthy', 'eu-west-1': 'healthy', 'ap-southeast-2': 'unhealthy' });
      expect(tally('eu-west-1', 141_001).byObserver).toEqual({ 'us-east-1': 'healthy', 'eu-west-1': 'unknown', 'ap-southeast-2': 'unhealthy' });
      expect(tally('eu-west-1', 141_001).healthy).toBeLessThan(2);
      expect(tally('ap-southeast-2', 141_001).byObserver['eu-west-1']).toBe('unknown');
    });

    it('measured on the reader\'s clock from when it first saw the snapshot, when it knows', () => {
      // Written at 100 s, first seen at 115 s (replication lag): it counts until 115 + 41 s.
      const seen = new Map([['us-east-1', 140_000], ['eu-west-1', 115_000], ['ap-southeast-2', 140_000]]);
      expect(tally('eu-west-1', 150_000).byObserver['eu-west-1']).toBe('unknown');
      expect(tally('eu-west-1', 156_000, seen).byObserver['eu-west-1']).toBe('healthy');
      expect(tally('eu-west-1', 156_001, seen).byObserver['eu-west-1']).toBe('unknown');
    });

    it('while an all-healthy snapshot (rewritten only every verdictRefreshMs) counts for the whole freshness window', () => {
      const healthy = latestSnapshots([snapshotOf('eu-west-1', { 'eu-west-1': 'healthy', 'ap-southeast-2': 'healthy' }, 100_000)]);
      const at = (nowMs: number) => tallyTarget({ target: 'eu-west-1', observers, snapshots: healthy, nowMs, freshnessMs, failingFreshnessMs: failingMs }).byObserver['eu-west-1'];
      expect(at(160_000)).toBe('healthy');
      expect(at(160_001)).toBe('unknown');
    });
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
