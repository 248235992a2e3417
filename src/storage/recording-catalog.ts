import { text } from 'node:stream/consumers';
import { RecordingNotFoundError } from './errors.js';
import { idOfMetadataKey, isRecordingId, metadataKey, type RecordingMetadata } from './recording-metadata.js';
import type { Storage } from './storage.js';

/** One page of recordings. */
export interface RecordingPage {
  recordings: RecordingMetadata[];
  nextCursor?: string;
}

/** Finished recordings as stored: list, read, delete (with their files and thumbnails). */
export class RecordingCatalog {
  constructor(readonly storage: Storage) {}

  /** Recordings in id order (stream id, then start time), optionally of one stream only. */
  async list(options: { streamId?: string; cursor?: string; limit?: number } = {}): Promise<RecordingPage> {
    const prefix = options.streamId !== undefined ? `recordings/${options.streamId}_` : 'recordings/';
    const page = await this.storage.list(prefix, { ...(options.cursor !== undefined ? { cursor: options.cursor } : {}), limit: options.limit ?? 100 });
    const recordings: RecordingMetadata[] = [];
    for (const object of page.objects) {
      const id = idOfMetadataKey(object.key);
      if (id === undefined) continue;
      const meta = await this.find(id);
      if (meta !== undefined) recordings.push(meta);
    }
    return page.nextCursor !== undefined ? { recordings, nextCursor: page.nextCursor } : { recordings };
  }

  /** Every recording, all pages (retention sweeps). */
  async all(): Promise<RecordingMetadata[]> {
    const out: RecordingMetadata[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list({ limit: 1000, ...(cursor !== undefined ? { cursor } : {}) });
      out.push(...page.recordings);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return out;
  }

  /** The metadata of a recording, or undefined. */
  async find(id: string): Promise<RecordingMetadata | undefined> {
    if (!isRecordingId(id)) return undefined;
    const key = metadataKey(id);
    if ((await this.storage.stat(key)) === undefined) return undefined;
    const download = await this.storage.get(key);
    return JSON.parse(await text(download.body)) as RecordingMetadata;
  }

  /** The metadata of a recording; RecordingNotFoundError when there is none. */
  async get(id: string): Promise<RecordingMetadata> {
    const meta = await this.find(id);
    if (meta === undefined) throw new RecordingNotFoundError(id);
    return meta;
  }

  /** Stores a recording's metadata (after its files). */
  async save(meta: RecordingMetadata): Promise<void> {
    await this.storage.put(metadataKey(meta.id), Buffer.from(JSON.stringify(meta, null, 2)), { contentType: 'application/json' });
  }

  /** Deletes a recording's files, thumbnails, then its metadata (last, so a failed delete can be retried). */
  async delete(id: string): Promise<RecordingMetadata> {
    const meta = await this.get(id);
    for (const file of meta.files) await this.storage.delete(file.key);
    for (const thumb of meta.thumbnails) await this.storage.delete(thumb.key);
    await this.storage.delete(metadataKey(id));
    return meta;
  }
}
