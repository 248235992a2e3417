import { describe, expect, it } from 'vitest';
import { WebhookCursorInvalidError } from './errors.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileWebhookStore } from './file-subscription-store.js';
import { MemoryWebhookStore } from './memory-subscription-store.js';
import type { WebhookSubscription } from './subscription.js';
import type { WebhookStore } from './subscription-store.js';

function sub(n: number): WebhookSubscription {
  return { id: `wh_${n}`, url: `http://127.0.0.1/${n}`, events: ['*'], secret: `whsec_${n}`, active: true, description: '', createdAt: new Date(n).toISOString() };
}

/** The behaviour every WebhookStore implementation must have; run it against each one. */
function runWebhookStoreContract(name: string, make: () => Promise<{ store: WebhookStore; cleanup?: () => Promise<void> }>): void {
  describe(`${name} (WebhookStore contract)`, () => {
    it('stores, reads, updates and deletes a subscription', async () => {
      const { store, cleanup } = await make();
      await store.insert(sub(1));
      expect(await store.get('wh_1')).toEqual(sub(1));
      expect(await store.get('wh_2')).toBeUndefined();
      expect(await store.update('wh_1', { active: false, events: ['streamStarted'], url: undefined })).toEqual({ ...sub(1), active: false, events: ['streamStarted'] });
      expect(await store.get('wh_1')).toMatchObject({ active: false, url: 'http://127.0.0.1/1' });
      expect(await store.update('wh_9', { active: false })).toBeUndefined();
      expect(await store.delete('wh_1')).toBe(true);
      expect(await store.delete('wh_1')).toBe(false);
      expect(await store.all()).toEqual([]);
      await cleanup?.();
    });

    it('hands out copies: changing a result does not change the store', async () => {
      const { store, cleanup } = await make();
      await store.insert(sub(1));
      const got = await store.get('wh_1');
      (got!.events as string[]).push('viewerJoined');
      got!.url = 'http://elsewhere/';
      expect(await store.get('wh_1')).toEqual(sub(1));
      await cleanup?.();
    });

    it('pages in creation order and a cursor survives deletions', async () => {
      const { store, cleanup } = await make();
      for (let i = 1; i <= 7; i++) await store.insert(sub(i));
      const p1 = await store.page({ limit: 3 });
      expect(p1.items.map((s) => s.id)).toEqual(['wh_1', 'wh_2', 'wh_3']);
      expect(p1.nextCursor).not.toBeNull();
      await store.delete('wh_3');
      await store.delete('wh_4');
      const p2 = await store.page({ limit: 3, cursor: p1.nextCursor! });
      expect(p2.items.map((s) => s.id)).toEqual(['wh_5', 'wh_6', 'wh_7']);
      expect(p2.nextCursor).toBeNull();
      const all = await store.page({ limit: 100 });
      expect(all.items).toHaveLength(5);
      expect(all.nextCursor).toBeNull();
      await cleanup?.();
    });

    it('a cursor it did not hand out is refused', async () => {
      const { store, cleanup } = await make();
      await expect(store.page({ limit: 3, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(WebhookCursorInvalidError);
      await cleanup?.();
    });
  });
}

runWebhookStoreContract('MemoryWebhookStore', async () => ({ store: new MemoryWebhookStore() }));

async function tempFile(): Promise<{ file: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'zenlive-webhooks-'));
  return { file: join(dir, 'webhooks.json'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

runWebhookStoreContract('FileWebhookStore', async () => {
  const { file, cleanup } = await tempFile();
  const store = new FileWebhookStore(file);
  await store.load();
  return { store, cleanup };
});

describe('FileWebhookStore', () => {
  it('keeps subscriptions, secrets and changes across a reload; refuses a file that is not its own', async () => {
    const { file, cleanup } = await tempFile();
    try {
      const first = new FileWebhookStore(file);
      await first.load();
      await first.insert(sub(1));
      await first.insert(sub(2));
      await first.update('wh_1', { active: false });
      await first.delete('wh_2');
      const second = new FileWebhookStore(file);
      await second.load();
      expect(await second.all()).toEqual([{ ...sub(1), active: false }]);
      await writeFile(file, JSON.stringify({ something: 'else' }));
      await expect(new FileWebhookStore(file).load()).rejects.toThrow(/not a ZenLive webhook subscriptions file/);
    } finally {
      await cleanup();
    }
  });
});
