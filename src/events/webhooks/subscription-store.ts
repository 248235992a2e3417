import type { WebhookSubscription } from './subscription.js';

/** One page of subscriptions, oldest first; `nextCursor` is null on the last page. */
export interface WebhookPage {
  items: WebhookSubscription[];
  nextCursor: string | null;
}

/** Fields of a subscription that may change after creation. */
export type WebhookPatch = Partial<Pick<WebhookSubscription, 'url' | 'events' | 'active' | 'description'>>;

/**
 * Where subscriptions live. Async so a shared-state implementation (Redis) can sit behind the same
 * seam as the in-memory one; every implementation must pass the contract suite in
 * `subscription-store.test.ts`.
 */
export interface WebhookStore {
  insert(sub: WebhookSubscription): Promise<void>;
  get(id: string): Promise<WebhookSubscription | undefined>;
  /** Applies `patch`; undefined when no such subscription. */
  update(id: string, patch: WebhookPatch): Promise<WebhookSubscription | undefined>;
  /** False when no such subscription. */
  delete(id: string): Promise<boolean>;
  /** Creation order; a cursor stays valid when other subscriptions are deleted. */
  page(options: { limit: number; cursor?: string | undefined }): Promise<WebhookPage>;
  /** Every subscription, for matching an event against filters. */
  all(): Promise<WebhookSubscription[]>;
}
