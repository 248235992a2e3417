import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { StreamCatalog } from './stream-catalog.js';
import type { StreamKeyStore } from './stream-keys.js';

const SavedFile = z.object({
  streams: z.array(z.object({ id: z.string(), title: z.string(), private: z.boolean(), ownerId: z.string(), stopped: z.boolean(), createdAt: z.string(), updatedAt: z.string() })),
  keys: z.array(z.object({ hashHex: z.string().regex(/^[0-9a-f]{64}$/), streamId: z.string(), ownerId: z.string(), createdAt: z.number(), expiresAt: z.number().nullable() })),
});

/**
 * Keeps the stream catalog and the stream-key hashes in one JSON file, so streams and their keys
 * survive a restart. Every change schedules one atomic rewrite (temp file + rename); changes in the
 * same turn share a write, and writes never overlap, so an older snapshot never lands last.
 */
export class StreamStateFile {
  private writes: Promise<void> = Promise.resolve();
  private scheduled = false;

  private constructor(
    private readonly file: string,
    private readonly catalog: StreamCatalog,
    private readonly keys: StreamKeyStore,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Loads the file if it exists (a corrupt one stops start-up rather than losing every key), then saves every change. */
  static async open(file: string, catalog: StreamCatalog, keys: StreamKeyStore, onError: (err: unknown) => void): Promise<StreamStateFile> {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text !== undefined) {
      const parsed = SavedFile.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(`${file}: not a ZenLive streams file (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      catalog.restore(parsed.data.streams);
      keys.restore(parsed.data.keys);
    }
    const store = new StreamStateFile(file, catalog, keys, onError);
    catalog.onChange = () => store.schedule();
    keys.onChange = () => store.schedule();
    return store;
  }

  /** Resolves when every change so far is on disk. */
  async flush(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.writes;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const snapshot = JSON.stringify({ streams: this.catalog.snapshot(), keys: this.keys.snapshot() }, null, 2);
      this.writes = this.writes
        .then(async () => {
          await mkdir(dirname(this.file), { recursive: true });
          const tmp = `${this.file}.${process.pid}.tmp`;
          await writeFile(tmp, snapshot, { mode: 0o600 });
          await rename(tmp, this.file);
        })
        .catch(this.onError);
    });
  }
}
