import { ManualClock } from '../../adapters/memory';
import { IdempotencyMismatchError, MemoryIdempotency, memoryIdempotencyKeysMax } from './idempotency';

describe('MemoryIdempotency', () => {
  it('forgets a key once its TTL has passed, so the work runs again', async () => {
    const clock = new ManualClock(0);
    const guard = new MemoryIdempotency(clock, 60);
    let calls = 0;
    await guard.run('k', { a: 1 }, async () => ++calls);
    clock.advance(59_999);
    expect(await guard.run('k', { a: 1 }, async () => ++calls)).toBe(1);
    await expect(guard.run('k', { a: 2 }, async () => ++calls)).rejects.toBeInstanceOf(IdempotencyMismatchError);
    clock.advance(1);
    expect(await guard.run('k', { a: 2 }, async () => ++calls)).toBe(2);
  });

  it('stays bounded: the oldest key is evicted beyond the maximum', async () => {
    const guard = new MemoryIdempotency(new ManualClock(0));
    for (let i = 0; i <= memoryIdempotencyKeysMax; i += 1) await guard.run(`k${i}`, {}, async () => i);
    expect(await guard.run('k0', {}, async () => 'ran again')).toBe('ran again');
    expect(await guard.run(`k${memoryIdempotencyKeysMax}`, {}, async () => 'ran again')).toBe(memoryIdempotencyKeysMax);
  });
});
