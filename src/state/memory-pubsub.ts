import type { PubSub, PubSubHandler, Subscription } from './pubsub.js';

/**
 * Pub/sub inside one process. Delivery is deferred to a microtask so a publisher never re-enters
 * its own subscriber (as with Redis), and order per channel is publish order.
 */
export class MemoryPubSub implements PubSub {
  private readonly channels = new Map<string, Set<PubSubHandler>>();

  async publish(channel: string, message: string): Promise<void> {
    const handlers = this.channels.get(channel);
    if (handlers === undefined || handlers.size === 0) return;
    const snapshot = [...handlers];
    queueMicrotask(() => {
      for (const h of snapshot) h(message);
    });
  }

  async subscribe(channel: string, handler: PubSubHandler): Promise<Subscription> {
    let set = this.channels.get(channel);
    if (set === undefined) {
      set = new Set();
      this.channels.set(channel, set);
    }
    // Wrap so the same function subscribed twice gets two deliveries, like two Redis subscriptions.
    const own: PubSubHandler = (m) => handler(m);
    set.add(own);
    return {
      unsubscribe: async () => {
        const s = this.channels.get(channel);
        s?.delete(own);
        if (s !== undefined && s.size === 0) this.channels.delete(channel);
      },
    };
  }

  close(): void {
    this.channels.clear();
  }
}
