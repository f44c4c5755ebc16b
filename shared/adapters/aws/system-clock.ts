/** The real clock for Lambda and the local run (the simulator uses a virtual one). */
import type { Clock } from '../../ports';

/** A single sleep longer than this is a bug (a Lambda invocation lasts at most 15 min). */
export const sleepMsMax = 15 * 60_000;

export class SystemClock implements Clock {
  nowMs(): number {
    return Date.now();
  }

  async sleepMs(ms: number): Promise<void> {
    if (!(ms >= 0 && ms <= sleepMsMax)) throw new RangeError(`sleepMs must be within 0..${sleepMsMax}, got ${ms}`);
    await new Promise<void>((resolve) => setTimeout(resolve, ms));
  }
}
