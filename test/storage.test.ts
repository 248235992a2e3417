import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { silentLogger } from '../src/base/index.js';
import { HlsOffload, LocalStorage, S3Storage, StorageNotFoundError, StoragePathError, StorageRangeError, type Storage } from '../src/storage/index.js';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

/** A real S3-compatible server (s3rver) on 127.0.0.1 and a free port, with one bucket; stopped by the caller. */
async function startS3(bucket: string): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'zenlive-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** One behaviour suite run against every Storage implementation. */
function storageContract(name: string, open: () => Promise<{ storage: Storage; close: () => Promise<void> }>): void {
  describe(`${name} storage`, () => {
    let storage: Storage;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ storage, close } = await open());
    });
    afterAll(async () => close?.());

    it('stores a Buffer and reads it back whole, with its size', async () => {
      const data = Buffer.from('hello recordings');
      const stored = await storage.put('a/hello.txt', data);
      expect(stored.size).toBe(data.length);
      const got = await storage.get('a/hello.txt');
      expect([got.size, got.start, got.end]).toEqual([data.length, 0, data.length - 1]);
      expect((await buffer(got.body)).equals(data)).toBe(true);
    });

    it('stores a multi-MiB stream (multipart on S3) and serves byte ranges of it', async () => {
      const data = randomBytes(12 * 1024 * 1024 + 123);
      const chunks = [];
      for (let i = 0; i < data.length; i += 1024 * 1024) chunks.push(data.subarray(i, i + 1024 * 1024));
      await storage.put('big/file.mp4', Readable.from(chunks), { contentType: 'video/mp4' });
      expect((await storage.stat('big/file.mp4'))?.size).toBe(data.length);
      const whole = await storage.get('big/file.mp4');
      expect((await buffer(whole.body)).equals(data)).toBe(true);
      const part = await storage.get('big/file.mp4', { start: 5_000_000, end: 5_000_099 });
      expect([part.start, part.end, part.size]).toEqual([5_000_000, 5_000_099, data.length]);
      expect((await buffer(part.body)).equals(data.subarray(5_000_000, 5_000_100))).toBe(true);
      const tail = await storage.get('big/file.mp4', { start: data.length - 10 });
      expect((await buffer(tail.body)).equals(data.subarray(data.length - 10))).toBe(true);
      await expect(storage.get('big/file.mp4', { start: data.length })).rejects.toBeInstanceOf(StorageRangeError);
    });

    it('replaces an object whole when the same key is written again', async () => {
      await storage.put('a/replace.txt', Buffer.from('first version, longer'));
      await storage.put('a/replace.txt', Buffer.from('second'));
      expect((await buffer((await storage.get('a/replace.txt')).body)).toString()).toBe('second');
    });

    it('lists by prefix in key order, a page at a time', async () => {
      for (const n of [3, 1, 4, 2, 5]) await storage.put(`list/item-${n}.json`, Buffer.from(String(n)));
      await storage.put('listing-not-this/x.json', Buffer.from('x'));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await storage.list('list/', { limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
        seen.push(...page.objects.map((o) => o.key));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== undefined);
      expect(seen).toEqual(['list/item-1.json', 'list/item-2.json', 'list/item-3.json', 'list/item-4.json', 'list/item-5.json']);
      expect(pages).toBe(3);
      expect((await storage.list('list/item-4')).objects.map((o) => [o.key, o.size])).toEqual([['list/item-4.json', 1]]);
      expect((await storage.list('nothing-here/')).objects).toEqual([]);
    });

    it('deletes, and treats a missing object as absent rather than an error', async () => {
      await storage.put('del/x.bin', Buffer.from([1, 2, 3]));
      await storage.delete('del/x.bin');
      expect(await storage.stat('del/x.bin')).toBeUndefined();
      await storage.delete('del/x.bin');
      await expect(storage.get('del/x.bin')).rejects.toBeInstanceOf(StorageNotFoundError);
    });

    it('refuses traversal keys before touching the back end', async () => {
      for (const key of ['../x', 'a/../../x', '/abs', 'a\u0000b', '%2e%2e/x', 'a\\..\\x']) {
        await expect(storage.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(StoragePathError);
        await expect(storage.get(key)).rejects.toBeInstanceOf(StoragePathError);
      }
    });
  });
}

storageContract('local', async () => {
  const root = await mkdtemp(join(tmpdir(), 'zenlive-local-storage-'));
  return { storage: new LocalStorage({ root }), close: () => rm(root, { recursive: true, force: true }) };
});

storageContract('S3 (s3rver)', async () => {
  const s3 = await startS3('zenlive-test');
  const storage = new S3Storage({ bucket: 'zenlive-test', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', partSizeBytes: 5 * 1024 * 1024 });
  return {
    storage,
    close: async () => {
      storage.close();
      await s3.stop();
    },
  };
});

describe('HLS offload to S3 (s3rver)', () => {
  let s3: { endpoint: string; stop: () => Promise<void> };
  let storage: S3Storage;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startS3('hls');
    storage = new S3Storage({ bucket: 'hls', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  });
  afterAll(async () => {
    client?.destroy();
    storage?.close();
    await s3?.stop();
  });

  it('stores segments and playlists in order with the Content-Type and Cache-Control a CDN needs', async () => {
    const offload = new HlsOffload({ storage, logger: silentLogger() });
    const order: string[] = [];
    const files: [string, string, string][] = [
      ['cam1/source/init-1.mp4', 'video/mp4', 'public, max-age=31536000, immutable'],
      ['cam1/source/seg-0.m4s', 'video/iso.segment', 'public, max-age=31536000, immutable'],
      ['cam1/source/index.m3u8', 'application/vnd.apple.mpegurl', 'public, max-age=1'],
      ['cam1/index.m3u8', 'application/vnd.apple.mpegurl', 'public, max-age=1'],
      ['cam2/source/seg-0.ts', 'video/mp2t', 'public, max-age=31536000, immutable'],
    ];
    await Promise.all(files.map(([path], i) => offload.publish(path, randomBytes(1000 + i)).then(() => order.push(path))));
    // one stream's files land in the order they were made: the playlist after its segments
    expect(order.filter((p) => p.startsWith('cam1/'))).toEqual(files.map(([p]) => p).filter((p) => p.startsWith('cam1/')));
    for (const [path, type, cache] of files) {
      const head = await client.send(new HeadObjectCommand({ Bucket: 'hls', Key: `hls/${path}` }));
      expect([head.ContentType, head.CacheControl]).toEqual([type, cache]);
    }
    await offload.remove('cam1/source/seg-0.m4s');
    expect(await storage.stat('hls/cam1/source/seg-0.m4s')).toBeUndefined();
    expect(offload.dropped).toBe(0);
    expect(() => offload.keyOf('../../etc/passwd')).toThrow(StoragePathError);
  });

  it('drops files rather than queueing without bound when the bucket falls behind', async () => {
    const offload = new HlsOffload({ storage, logger: silentLogger(), maxQueuedPerStream: 3 });
    const jobs = Array.from({ length: 10 }, (_, i) => offload.publish(`slow/seg-${i}.ts`, randomBytes(100)));
    await Promise.all(jobs);
    expect(offload.dropped).toBe(7);
    expect((await storage.list('hls/slow/')).objects.map((o) => o.key)).toEqual(['hls/slow/seg-0.ts', 'hls/slow/seg-1.ts', 'hls/slow/seg-2.ts']);
  });
});
