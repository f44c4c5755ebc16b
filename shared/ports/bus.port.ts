import type { ArbiterEvent } from '../domain';

/** Publishes Arbiter events on this region's bus; rules forward them to every peer region. */
export interface Bus {
  /** Throws PublishError naming what could not be published after bounded retries. */
  publish(events: readonly ArbiterEvent[]): Promise<void>;
}
