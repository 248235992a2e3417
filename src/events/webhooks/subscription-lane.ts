import type { Logger } from '../../base/index.js';
import type { ConcurrencyGate } from './concurrency-gate.js';
import { attemptDelivery, type AttemptResult } from './delivery-attempt.js';
import type { WebhookDeliveryOptions } from './delivery-options.js';
import { RingBuffer } from './ring-buffer.js';
import { backoffDelayMs } from './retry-policy.js';
import type { DeliveryRecord, WebhookDeliveryStats, WebhookSubscription } from './subscription.js';

/** An event serialized once, shared by every subscription it goes to. */
export interface PreparedEvent {
  id: string;
  type: string;
  body: string;
}

/**
 * One subscription's delivery line. Events go out in the order they were queued, one at a time: an
 * event being retried holds back the ones after it, so a receiver never sees a later event before
 * an earlier one unless the earlier one was dropped or finally failed. Retries may deliver an event
 * twice (at-least-once): receivers deduplicate on the event id.
 */
export class SubscriptionLane {
  private readonly queue: RingBuffer<PreparedEvent>;
  private readonly log: RingBuffer<DeliveryRecord>;
  private readonly counters = { delivered: 0, failed: 0, dropped: 0, retries: 0 };
  private readonly abort: AbortController;
  private running: Promise<void> = Promise.resolve();
  private draining = false;
  private current: PreparedEvent | undefined;
  private wake: { timer: NodeJS.Timeout; resolve: (go: boolean) => void } | undefined;

  constructor(
    private sub: WebhookSubscription,
    private readonly options: Required<WebhookDeliveryOptions>,
    private readonly gate: ConcurrencyGate,
    private readonly logger: Logger,
    stopSignal: AbortSignal,
  ) {
    this.queue = new RingBuffer(options.queueSize);
    this.log = new RingBuffer(options.deliveryLogSize);
    this.abort = new AbortController();
    stopSignal.addEventListener('abort', () => this.abort.abort(stopSignal.reason), { once: true, signal: this.abort.signal });
  }

  /** URL, secret and filter changes apply from the next attempt on. */
  update(sub: WebhookSubscription): void {
    this.sub = sub;
  }

  enqueue(event: PreparedEvent): void {
    if (this.abort.signal.aborted) return;
    const dropped = this.queue.push(event);
    if (dropped !== undefined) {
      this.counters.dropped++;
      this.record({ eventId: dropped.id, eventType: dropped.type, attempt: 0, outcome: 'dropped', status: null, durationMs: 0, error: 'queue full', retryInMs: null });
      this.logger.warn({ webhook_id: this.sub.id, event_id: dropped.id, queue_size: this.options.queueSize, dropped_total: this.counters.dropped }, 'webhook queue full, oldest event dropped');
    }
    if (!this.draining) this.running = this.drain();
  }

  stats(): WebhookDeliveryStats {
    return { queued: this.queue.size + (this.current !== undefined ? 1 : 0), ...this.counters };
  }

  /** Newest first. */
  deliveries(): DeliveryRecord[] {
    return this.log.toArray().reverse();
  }

  /** Resolves when the queue is empty and nothing is in flight (a retry waiting its backoff is not idle). */
  idle(): Promise<void> {
    return this.running;
  }

  /** Cancels the in-flight request and pending retry; resolves once the lane is idle. Returns events lost. */
  async close(): Promise<number> {
    const pending = this.queue.size + (this.current !== undefined ? 1 : 0);
    this.abort.abort(new Error('webhook lane closed'));
    if (this.wake !== undefined) {
      clearTimeout(this.wake.timer);
      this.wake.resolve(false);
      this.wake = undefined;
    }
    await this.running;
    this.queue.clear();
    return pending;
  }

  // `draining` is set and cleared synchronously with the queue check, so an event enqueued at any
  // moment is either seen by this loop or starts a new one.
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let event = this.queue.shift(); event !== undefined && !this.abort.signal.aborted; event = this.queue.shift()) {
        this.current = event;
        try {
          await this.deliver(event);
        } catch (err) {
          // a bug here must not leave the lane stuck as draining
          this.logger.error({ err, webhook_id: this.sub.id, event_id: event.id }, 'webhook delivery crashed');
        }
        this.current = undefined;
      }
    } finally {
      this.draining = false;
    }
  }

  private async deliver(event: PreparedEvent): Promise<void> {
    const { maxAttempts, initialBackoffMs, maxBackoffMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(event);
      if (result === undefined || result.aborted) return;
      const base = { eventId: event.id, eventType: event.type, attempt, status: result.status, durationMs: result.durationMs, error: result.error };
      if (result.verdict === 'delivered') {
        this.counters.delivered++;
        this.record({ ...base, outcome: 'delivered', retryInMs: null });
        return;
      }
      if (result.verdict === 'final' || attempt >= maxAttempts) {
        this.counters.failed++;
        this.record({ ...base, outcome: 'failed', retryInMs: null });
        this.logger.warn({ webhook_id: this.sub.id, event_id: event.id, attempt, status: result.status, error: result.error }, 'webhook delivery failed');
        return;
      }
      const delay = Math.min(result.retryAfterMs ?? backoffDelayMs(attempt, initialBackoffMs, maxBackoffMs, this.options.random), maxBackoffMs);
      this.counters.retries++;
      this.record({ ...base, outcome: 'retrying', retryInMs: delay });
      if (!(await this.sleep(delay))) return;
    }
  }

  private async attempt(event: PreparedEvent): Promise<AttemptResult | undefined> {
    let release: () => void;
    try {
      release = await this.gate.acquire(this.abort.signal);
    } catch {
      return undefined;
    }
    try {
      return await attemptDelivery({
        url: this.sub.url,
        secret: this.sub.secret,
        eventId: event.id,
        body: event.body,
        timeoutMs: this.options.timeoutMs,
        signal: this.abort.signal,
        userAgent: this.options.userAgent,
      });
    } finally {
      release();
    }
  }

  /** Resolves true after `ms`, false at once if the lane closes meanwhile. */
  private sleep(ms: number): Promise<boolean> {
    if (this.abort.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(true);
      }, ms);
      this.wake = { timer, resolve };
    });
  }

  private record(entry: Omit<DeliveryRecord, 'at'>): void {
    this.log.push({ ...entry, at: new Date().toISOString() });
  }
}
