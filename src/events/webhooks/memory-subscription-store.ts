import { WebhookCursorInvalidError } from './errors.js';
import type { WebhookSubscription } from './subscription.js';
import type { WebhookPage, WebhookPatch, WebhookStore } from './subscription-store.js';

interface Entry {
  seq: number;
  sub: WebhookSubscription;
}

/** Subscriptions in this process's memory: the single-node default. */
export class MemoryWebhookStore implements WebhookStore {
  // Map iteration follows insertion order, which is creation order: pages walk it by sequence number.
  private readonly entries = new Map<string, Entry>();
  private nextSeq = 1;

  async insert(sub: WebhookSubscription): Promise<void> {
    this.entries.set(sub.id, { seq: this.nextSeq++, sub: copy(sub) });
  }

  async get(id: string): Promise<WebhookSubscription | undefined> {
    const entry = this.entries.get(id);
    return entry === undefined ? undefined : copy(entry.sub);
  }

  async update(id: string, patch: WebhookPatch): Promise<WebhookSubscription | undefined> {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    entry.sub = copy({ ...entry.sub, ...definedOnly(patch) });
    return copy(entry.sub);
  }

  async delete(id: string): Promise<boolean> {
    return this.entries.delete(id);
  }

  async page(options: { limit: number; cursor?: string | undefined }): Promise<WebhookPage> {
    const after = options.cursor === undefined ? 0 : decodeCursor(options.cursor);
    const items: WebhookSubscription[] = [];
    let lastSeq = 0;
    let more = false;
    for (const entry of this.entries.values()) {
      if (entry.seq <= after) continue;
      if (items.length === options.limit) {
        more = true;
        break;
      }
      items.push(copy(entry.sub));
      lastSeq = entry.seq;
    }
    return { items, nextCursor: more ? encodeCursor(lastSeq) : null };
  }

  async all(): Promise<WebhookSubscription[]> {
    return [...this.entries.values()].map((e) => copy(e.sub));
  }
}

// Callers get copies: a route handler mutating a result must not change what the store holds.
function copy(sub: WebhookSubscription): WebhookSubscription {
  return { ...sub, events: [...sub.events] };
}

function definedOnly(patch: WebhookPatch): WebhookPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as WebhookPatch;
}

function encodeCursor(seq: number): string {
  return Buffer.from(`s:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) throw new WebhookCursorInvalidError(cursor);
  return Number(match[1]);
}
