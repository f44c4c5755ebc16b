/** functions/lib/container.ts's lazyPort: an adapter (and the SDK under it) is built on its first call, once. */
import { lazyPort } from '../../functions/lib/container';
import type { Dns } from '../../shared/ports';

describe('lazyPort', () => {
  it('builds nothing until the first call, then builds once and forwards every call with its arguments', async () => {
    let builds = 0;
    const calls: string[] = [];
    const dns = lazyPort<Dns>(async () => {
      builds += 1;
      return {
        readRecords: async (bindings) => { calls.push(`read ${bindings.length}`); return []; },
        applyChanges: async (zone, _changes, decisionId) => { calls.push(`apply ${zone} ${decisionId}`); return { changeId: 'C1' }; },
        changeStatus: async (id) => { calls.push(`status ${id}`); return 'INSYNC'; },
      };
    });
    expect(builds).toBe(0);
    const [records, applied] = await Promise.all([dns.readRecords([]), dns.applyChanges('Z1', [], 'd-1')]);
    expect(await dns.changeStatus('C1')).toBe('INSYNC');
    expect({ builds, records, applied, calls }).toEqual({ builds: 1, records: [], applied: { changeId: 'C1' }, calls: ['read 0', 'apply Z1 d-1', 'status C1'] });
  });

  it('is not a thenable, so awaiting the port itself does not call the build', async () => {
    let builds = 0;
    const port = lazyPort<Dns>(async () => {
      builds += 1;
      throw new Error('must not be built');
    });
    expect(await Promise.resolve(port)).toBe(port);
    expect(builds).toBe(0);
  });

  it('passes a failed build to the caller', async () => {
    const port = lazyPort<Dns>(async () => {
      throw new Error('no Route 53 client');
    });
    await expect(port.changeStatus('C1')).rejects.toThrow('no Route 53 client');
  });
});
