/** How deliveries are retried and bounded; the app fills it from the `webhooks` config section. */
export interface WebhookDeliveryOptions {
  /** Attempts per event and subscription, the first included. */
  maxAttempts: number;
  initialBackoffMs: number;
  /** Caps every wait between attempts, a receiver's Retry-After included. */
  maxBackoffMs: number;
  /** Events waiting per subscription; when full the oldest waiting one is dropped. */
  queueSize: number;
  /** Per attempt, from sending the request to receiving the status line. */
  timeoutMs: number;
  /** Requests in flight at once, over all subscriptions. */
  concurrency: number;
  /** Records kept per subscription in its delivery log. */
  deliveryLogSize: number;
  userAgent?: string;
  /** The jitter source, uniform in [0, 1); Math.random by default. */
  random?: () => number;
}

export const DEFAULT_DELIVERY_OPTIONS: Readonly<WebhookDeliveryOptions> = {
  maxAttempts: 8,
  initialBackoffMs: 1000,
  maxBackoffMs: 5 * 60_000,
  queueSize: 1000,
  timeoutMs: 10_000,
  concurrency: 16,
  deliveryLogSize: 100,
};
