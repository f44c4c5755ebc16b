/**
 * A discrete-event scheduler over a virtual clock. Callbacks run in (time, insertion) order;
 * after each one the scheduler drains every pending microtask (one `setImmediate` turn, which
 * runs only after the microtask queue is empty), so async runtime code advances exactly as far
 * as its promises allow before virtual time moves on. No real timer is ever armed.
 */

/** Every run is bounded: a runaway feedback loop stops the run with an error, not a hang. */
export const schedulerEventsMax = 2_000_000;

interface Entry {
  atMs: number;
  seq: number;
  run: () => void;
  /** A purely synchronous callback (touches no promise): no microtask drain after it. */
  sync: boolean;
}

const drainMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Scheduler {
  private heap: Entry[] = [];
  private seq = 0;
  private now = 0;
  eventsRun = 0;

  nowMs(): number {
    return this.now;
  }

  /** Runs `run` at virtual time `atMs` (never in the past). */
  at(atMs: number, run: () => void): void {
    this.push({ atMs: Math.max(this.now, Math.round(atMs)), seq: this.seq++, run, sync: false });
  }

  /**
   * As `at`, for a callback that is purely synchronous: it neither creates nor resolves a promise,
   * so no microtask can be pending after it and the drain (a `setImmediate` turn) is skipped.
   * Route 53's health checkers (many events, no async work) use it.
   */
  atSync(atMs: number, run: () => void): void {
    this.push({ atMs: Math.max(this.now, Math.round(atMs)), seq: this.seq++, run, sync: true });
  }

  after(delayMs: number, run: () => void): void {
    this.at(this.now + Math.max(0, delayMs), run);
  }

  /** A promise resolved by the scheduler `delayMs` of virtual time from now. */
  sleepMs(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  /** Runs events up to and including `untilMs`; `onStep` sees the time after each event. */
  async runUntil(untilMs: number, onStep?: (nowMs: number) => void): Promise<void> {
    await drainMicrotasks();
    while (this.heap.length > 0 && this.heap[0]!.atMs <= untilMs) {
      const entry = this.pop();
      this.now = entry.atMs;
      entry.run();
      if (!entry.sync) await drainMicrotasks();
      this.eventsRun += 1;
      if (this.eventsRun > schedulerEventsMax) throw new Error(`scheduler: more than ${schedulerEventsMax} events; the run is not converging`);
      onStep?.(this.now);
    }
    this.now = Math.max(this.now, untilMs);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
