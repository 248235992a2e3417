import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../../base/index.js';
import type { WebhookDeliveryOptions } from './delivery-options.js';
import { WebhookEventUnknownError, WebhookNotFoundError } from './errors.js';
import type { DeliveryRecord, WebhookSubscription, WebhookSubscriptionView } from './subscription.js';
import type { WebhookPatch, WebhookStore } from './subscription-store.js';
import { checkTargetUrl } from './target-url.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

/** The event sent by `POST /api/v1/webhooks/:id/test`. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export interface WebhookServiceOptions {
  store: WebhookStore;
  /** Event types a filter may name (besides `*`): the bus's events and `webhook.test`. */
  eventTypes: readonly string[];
  delivery: Partial<WebhookDeliveryOptions>;
  logger: Logger;
  /** Random bytes in a generated secret; 32 by default. */
  secretBytes?: number;
}

export interface CreateWebhookInput {
  url: string;
  events?: readonly string[] | undefined;
  active?: boolean | undefined;
  description?: string | undefined;
  /** Caller-chosen secret (provisioning from another system); generated when omitted. */
  secret?: string | undefined;
}

/** Subscriptions and their deliveries: what the REST routes and the SDK drive. */
export class WebhookService {
  readonly eventTypes: readonly string[];
  private readonly store: WebhookStore;
  private readonly dispatcher: WebhookDispatcher;
  private readonly secretBytes: number;

  constructor(options: WebhookServiceOptions) {
    this.store = options.store;
    this.eventTypes = [...new Set([...options.eventTypes, WEBHOOK_TEST_EVENT])];
    this.dispatcher = new WebhookDispatcher(options.store, options.delivery, options.logger);
    this.secretBytes = options.secretBytes ?? 32;
  }

  /** Creates a subscription; the returned secret is never shown again. */
  async create(input: CreateWebhookInput): Promise<{ webhook: WebhookSubscriptionView; secret: string }> {
    const sub: WebhookSubscription = {
      id: `wh_${randomUUID()}`,
      url: checkTargetUrl(input.url),
      events: this.checkEvents(input.events ?? ['*']),
      secret: input.secret ?? `whsec_${randomBytes(this.secretBytes).toString('base64url')}`,
      active: input.active ?? true,
      description: input.description ?? '',
      createdAt: new Date().toISOString(),
    };
    await this.store.insert(sub);
    return { webhook: this.view(sub), secret: sub.secret };
  }

  async get(id: string): Promise<WebhookSubscriptionView> {
    return this.view(await this.load(id));
  }

  async list(options: { limit: number; cursor?: string | undefined }): Promise<{ webhooks: WebhookSubscriptionView[]; nextCursor: string | null }> {
    const page = await this.store.page(options);
    return { webhooks: page.items.map((s) => this.view(s)), nextCursor: page.nextCursor };
  }

  async update(id: string, patch: WebhookPatch): Promise<WebhookSubscriptionView> {
    const checked: WebhookPatch = {
      ...patch,
      ...(patch.url !== undefined ? { url: checkTargetUrl(patch.url) } : {}),
      ...(patch.events !== undefined ? { events: this.checkEvents(patch.events) } : {}),
    };
    const sub = await this.store.update(id, checked);
    if (sub === undefined) throw new WebhookNotFoundError(id);
    this.dispatcher.refresh(sub);
    return this.view(sub);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.delete(id))) throw new WebhookNotFoundError(id);
    await this.dispatcher.forget(id);
  }

  /** Sends a `webhook.test` event to this subscription only, whatever its filter; returns the event id. */
  async sendTest(id: string): Promise<string> {
    const sub = await this.load(id);
    return this.dispatcher.sendTo(sub, WEBHOOK_TEST_EVENT, { webhookId: id, message: 'test delivery from ZenLive' });
  }

  /** The delivery log, newest first. */
  async deliveries(id: string): Promise<DeliveryRecord[]> {
    await this.load(id);
    return this.dispatcher.deliveries(id);
  }

  /** Delivers `data` as an event of `type` to every matching subscription; returns the event id. */
  publish(type: string, data: unknown): string {
    return this.dispatcher.publish(type, data);
  }

  /** Resolves once every event published so far sits in its subscriptions' queues. */
  flush(): Promise<void> {
    return this.dispatcher.flushIntake();
  }

  /**
   * Stops delivery: queues get up to `graceMs` to empty, then pending retries are cleared and
   * in-flight requests aborted.
   */
  close(graceMs = 0): Promise<void> {
    return this.dispatcher.close(graceMs);
  }

  private async load(id: string): Promise<WebhookSubscription> {
    const sub = await this.store.get(id);
    if (sub === undefined) throw new WebhookNotFoundError(id);
    return sub;
  }

  private checkEvents(events: readonly string[]): string[] {
    for (const type of events) if (type !== '*' && !this.eventTypes.includes(type)) throw new WebhookEventUnknownError(type);
    return events.includes('*') ? ['*'] : [...new Set(events)];
  }

  private view(sub: WebhookSubscription): WebhookSubscriptionView {
    const { secret: _secret, ...rest } = sub;
    return { ...rest, events: [...sub.events], stats: this.dispatcher.stats(sub.id) };
  }
}
