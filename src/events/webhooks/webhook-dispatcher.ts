import { randomUUID } from 'node:crypto';
import type { Logger } from '../../base/index.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { DEFAULT_DELIVERY_OPTIONS, type WebhookDeliveryOptions } from './delivery-options.js';
import { SubscriptionLane, type PreparedEvent } from './subscription-lane.js';
import { subscriptionWants, type DeliveryRecord, type WebhookDeliveryStats, type WebhookEvent, type WebhookSubscription } from './subscription.js';
import type { WebhookStore } from './subscription-store.js';

const EMPTY_STATS: Readonly<WebhookDeliveryStats> = { queued: 0, delivered: 0, failed: 0, dropped: 0, retries: 0 };

/**
 * Turns events into signed POSTs: each event is serialized once, matched against every active
 * subscription's filter and queued on that subscription's lane. Lanes are created on first use and
 * live until the subscription is forgotten or the dispatcher closes.
 */
export class WebhookDispatcher {
  private readonly lanes = new Map<string, SubscriptionLane>();
  private readonly gate: ConcurrencyGate;
  private readonly stop = new AbortController();
  private readonly options: Required<WebhookDeliveryOptions>;
  private readonly log: Logger;
  // Events pass through one promise chain so they reach the lanes in the order they were published,
  // however long each store lookup takes.
  private intake: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: WebhookStore,
    options: Partial<WebhookDeliveryOptions>,
    logger: Logger,
  ) {
    this.options = { userAgent: 'ZenLive-Webhooks/1', random: Math.random, ...DEFAULT_DELIVERY_OPTIONS, ...definedOnly(options) };
    this.gate = new ConcurrencyGate(this.options.concurrency);
    this.log = logger.child({ component: 'webhooks' });
  }

  /** Queues `data` as an event of `type` for every active subscription that wants it; returns the event id. */
  publish(type: string, data: unknown): string {
    const event = prepare(type, data);
    if (this.stop.signal.aborted) return event.id;
    this.intake = this.intake
      .then(async () => {
        const subs = await this.store.all();
        for (const sub of subs) if (sub.active && subscriptionWants(sub, type)) this.lane(sub).enqueue(event);
      })
      .catch((err: unknown) => this.log.error({ err, event_type: type, event_id: event.id }, 'webhook fan-out failed'));
    return event.id;
  }

  /** Queues an event for one subscription whatever its filter and active flag (the test event). */
  sendTo(sub: WebhookSubscription, type: string, data: unknown): string {
    const event = prepare(type, data);
    if (this.stop.signal.aborted) return event.id;
    // through the intake too, so it stays behind events published before it
    this.intake = this.intake.then(() => this.lane(sub).enqueue(event));
    return event.id;
  }

  /** A changed subscription (URL, secret) takes effect from its lane's next attempt. */
  refresh(sub: WebhookSubscription): void {
    this.lanes.get(sub.id)?.update(sub);
  }

  /** Stops delivering to a deleted subscription: its queue is dropped, an in-flight request aborted. */
  async forget(id: string): Promise<void> {
    // events looked up before the deletion may still be on their way to this lane
    await this.intake;
    const lane = this.lanes.get(id);
    if (lane === undefined) return;
    this.lanes.delete(id);
    await lane.close();
  }

  stats(id: string): WebhookDeliveryStats {
    return this.lanes.get(id)?.stats() ?? { ...EMPTY_STATS };
  }

  /** The subscription's delivery log, newest first. */
  deliveries(id: string): DeliveryRecord[] {
    return this.lanes.get(id)?.deliveries() ?? [];
  }

  /** Waits until every event published so far has been queued on its lanes (tests, orderly shutdown). */
  async flushIntake(): Promise<void> {
    await this.intake;
  }

  /**
   * Stops delivery. With `graceMs`, lanes first get that long to empty their queues (so the
   * streamEnded events of a shutdown still go out); then pending retries are cleared and in-flight
   * requests aborted. Events still queued are lost and logged with their count.
   */
  async close(graceMs = 0): Promise<void> {
    if (this.stop.signal.aborted) return;
    await this.intake;
    if (graceMs > 0) await settleWithin(Promise.all([...this.lanes.values()].map((l) => l.idle())), graceMs);
    this.stop.abort(new Error('webhooks stopping'));
    const lanes = [...this.lanes.values()];
    this.lanes.clear();
    const lost = (await Promise.all(lanes.map((l) => l.close()))).reduce((a, b) => a + b, 0);
    if (lost > 0) this.log.warn({ undelivered: lost }, 'webhook deliveries pending at stop were abandoned');
  }

  private lane(sub: WebhookSubscription): SubscriptionLane {
    let lane = this.lanes.get(sub.id);
    if (lane === undefined) {
      lane = new SubscriptionLane(sub, this.options, this.gate, this.log, this.stop.signal);
      this.lanes.set(sub.id, lane);
    } else {
      lane.update(sub);
    }
    return lane;
  }
}

function prepare(type: string, data: unknown): PreparedEvent {
  const event: WebhookEvent = { id: `evt_${randomUUID()}`, type, timestamp: new Date().toISOString(), data };
  return { id: event.id, type, body: JSON.stringify(event) };
}

async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
