/** A bus that records what was published and hands it to subscribers synchronously, in order. */
import type { ArbiterEvent } from '../../domain';
import type { Bus } from '../../ports';

export class RecordingBus implements Bus {
  readonly published: ArbiterEvent[] = [];
  private readonly subscribers: Array<(event: ArbiterEvent) => void> = [];

  subscribe(subscriber: (event: ArbiterEvent) => void): void {
    this.subscribers.push(subscriber);
  }

  async publish(events: readonly ArbiterEvent[]): Promise<void> {
    for (const event of events) {
      this.published.push(structuredClone(event));
      for (const subscriber of this.subscribers) subscriber(structuredClone(event));
    }
  }
}
