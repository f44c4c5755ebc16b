/**
 * Idempotency for mutating API calls, behind one small interface:
 *   - in Lambda, Powertools idempotency on the Arbiter table (shared/adapters/idempotency);
 *   - locally and in tests, `MemoryIdempotency` below.
 *
 * Contract: `run(key, payload, work)` runs `work` at most once per key while the key's record
 * lives; a repeat with the same payload gets the first result back; a repeat with another payload
 * is refused (IdempotencyMismatchError); a repeat while the first is still running is refused
 * (IdempotencyInProgressError). When `work` throws, nothing is kept and the key may be retried.
 */
import { canonicalJson, invariant } from '../../domain';
import { ArbiterError, type Clock } from '../../ports';

/** How long an idempotency key is remembered. */
export const idempotencyKeyTtlSeconds = 24 * 3600;
/** Keys beyond this many are evicted oldest-first (memory implementation only). */
export const memoryIdempotencyKeysMax = 10_000;

export class IdempotencyMismatchError extends ArbiterError {}
export class IdempotencyInProgressError extends ArbiterError {}

export interface IdempotencyGuard {
  run<T>(key: string, payload: Record<string, unknown>, work: () => Promise<T>): Promise<T>;
}

interface MemoryRecord {
  payload: string;
  expiresMs: number;
  status: 'in-progress' | 'completed';
  result?: unknown;
}

/**
 * In-memory idempotency with the same semantics as the Powertools-backed guard.
 * @example const guard = new MemoryIdempotency(clock); await guard.run('key-1', { body }, () => create());
 */
export class MemoryIdempotency implements IdempotencyGuard {
  private readonly records = new Map<string, MemoryRecord>();

  constructor(private readonly clock: Clock, private readonly ttlSeconds = idempotencyKeyTtlSeconds) {}

  async run<T>(key: string, payload: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    const nowMs = this.clock.nowMs();
    const payloadJson = canonicalJson(payload);
    const known = this.records.get(key);
    if (known !== undefined && known.expiresMs > nowMs) {
      if (known.payload !== payloadJson) throw new IdempotencyMismatchError(`Idempotency-Key ${key} was used with a different request`);
      if (known.status === 'in-progress') throw new IdempotencyInProgressError(`a request with Idempotency-Key ${key} is still in progress`);
      return structuredClone(known.result) as T;
    }
    this.evictIfFull();
    this.records.set(key, { payload: payloadJson, expiresMs: nowMs + this.ttlSeconds * 1000, status: 'in-progress' });
    try {
      const result = await work();
      this.records.set(key, { payload: payloadJson, expiresMs: nowMs + this.ttlSeconds * 1000, status: 'completed', result: structuredClone(result) });
      return result;
    } catch (error) {
      this.records.delete(key);
      throw error;
    }
  }

  private evictIfFull(): void {
    for (const key of this.records.keys()) {
      if (this.records.size < memoryIdempotencyKeysMax) return;
      this.records.delete(key);
    }
    invariant(this.records.size < memoryIdempotencyKeysMax, 'idempotency: eviction keeps the map bounded');
  }
}
