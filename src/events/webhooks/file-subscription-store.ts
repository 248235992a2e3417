import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MemoryWebhookStore } from './memory-subscription-store.js';
import type { WebhookSubscription } from './subscription.js';
import type { WebhookPage, WebhookPatch, WebhookStore } from './subscription-store.js';

function isSubscription(v: unknown): v is WebhookSubscription {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return typeof s['id'] === 'string' && typeof s['url'] === 'string' && Array.isArray(s['events']) && typeof s['secret'] === 'string' && typeof s['active'] === 'boolean' && typeof s['createdAt'] === 'string';
}

/**
 * Subscriptions kept in memory and saved to a JSON file after every change (temp file + rename,
 * one write at a time, mode 0600: it holds the signing secrets), so they survive a restart.
 */
export class FileWebhookStore implements WebhookStore {
  private writes: Promise<void> = Promise.resolve();
  private readonly memory = new MemoryWebhookStore();

  constructor(private readonly file: string) {}

  /** Loads the file when it exists (call once, before use); a file that is not a subscriptions file stops start-up rather than losing them. */
  async load(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text === undefined) return;
    const parsed = JSON.parse(text) as { subscriptions?: unknown };
    if (!Array.isArray(parsed.subscriptions) || !parsed.subscriptions.every(isSubscription)) throw new Error(`${this.file}: not a ZenLive webhook subscriptions file`);
    for (const s of parsed.subscriptions) await this.memory.insert({ ...s, description: typeof s.description === 'string' ? s.description : '' });
  }

  async insert(sub: WebhookSubscription): Promise<void> {
    await this.memory.insert(sub);
    await this.save();
  }

  get(id: string): Promise<WebhookSubscription | undefined> {
    return this.memory.get(id);
  }

  async update(id: string, patch: WebhookPatch): Promise<WebhookSubscription | undefined> {
    const updated = await this.memory.update(id, patch);
    if (updated !== undefined) await this.save();
    return updated;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.memory.delete(id);
    if (deleted) await this.save();
    return deleted;
  }

  page(options: { limit: number; cursor?: string | undefined }): Promise<WebhookPage> {
    return this.memory.page(options);
  }

  all(): Promise<WebhookSubscription[]> {
    return this.memory.all();
  }

  /** Writes the current subscriptions; a failed write rejects the change that caused it. */
  private save(): Promise<void> {
    const next = this.writes.then(async () => {
      const snapshot = JSON.stringify({ subscriptions: await this.memory.all() }, null, 2);
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, snapshot, { mode: 0o600 });
      await rename(tmp, this.file);
    });
    // The chain goes on after a failure; this change's caller still sees it.
    this.writes = next.catch(() => undefined);
    return next;
  }
}
