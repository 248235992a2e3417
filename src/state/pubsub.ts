/** Receives every message published on a channel, in publish order. */
export type PubSubHandler = (message: string) => void;

/** A live subscription; `unsubscribe` stops deliveries to its handler. */
export interface Subscription {
  unsubscribe(): Promise<void>;
}

/**
 * Channels with fan-out to every subscriber on every node. Messages from one publisher arrive in
 * the order they were published, exactly once per subscription; nothing is stored for late subscribers.
 */
export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active, so a publish made after it is delivered. */
  subscribe(channel: string, handler: PubSubHandler): Promise<Subscription>;
}
