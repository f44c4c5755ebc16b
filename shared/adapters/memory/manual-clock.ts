/** A clock moved by hand (tests): `sleepMs` advances it instead of waiting. */
import type { Clock } from '../../ports';

export class ManualClock implements Clock {
  constructor(private now = 0) {}

  nowMs(): number {
    return this.now;
  }

  advance(ms: number): void {
    this.now += ms;
  }

  async sleepMs(ms: number): Promise<void> {
    this.now += ms;
  }
}
