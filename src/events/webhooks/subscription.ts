/** A receiver's subscription to ZenLive events. */
export interface WebhookSubscription {
  id: string;
  url: string;
  /** Event types delivered; `['*']` means every event. */
  events: readonly string[];
  /** HMAC key for the signature header; shown to the user once, when the subscription is created. */
  secret: string;
  active: boolean;
  description: string;
  createdAt: string;
}

/** Counters of one subscription's delivery lane since this process started. */
export interface WebhookDeliveryStats {
  queued: number;
  delivered: number;
  failed: number;
  dropped: number;
  retries: number;
}

/** A subscription as the API shows it: never the secret. */
export type WebhookSubscriptionView = Omit<WebhookSubscription, 'secret'> & { stats: WebhookDeliveryStats };

/** The JSON body POSTed to a receiver. */
export interface WebhookEvent {
  id: string;
  type: string;
  /** When the event happened (ISO 8601); unlike the timestamp header it does not change across retries. */
  timestamp: string;
  data: unknown;
}

/** One line of a subscription's delivery log. */
export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  /** 1 for the first try; 0 for an event dropped before any try. */
  attempt: number;
  at: string;
  /**
   * delivered: 2xx. retrying: failed, another attempt is scheduled in `retryInMs`. failed: final
   * status or attempts exhausted. dropped: evicted from a full queue.
   */
  outcome: 'delivered' | 'retrying' | 'failed' | 'dropped';
  status: number | null;
  durationMs: number;
  error: string | null;
  retryInMs: number | null;
}

/** True when the subscription's filter takes events of `type`. */
export function subscriptionWants(sub: WebhookSubscription, type: string): boolean {
  return sub.events.includes('*') || sub.events.includes(type);
}
