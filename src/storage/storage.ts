import type { Readable } from 'node:stream';

/** Headers an object is served with later (S3 stores them; local storage infers the type from the name). */
export interface PutOptions {
  contentType?: string;
  cacheControl?: string;
}

/** Size and times of a stored object. */
export interface StoredObject {
  key: string;
  size: number;
  modifiedAt: number;
}

/** An inclusive byte range, as HTTP Range gives it. */
export interface ByteRange {
  start: number;
  /** Inclusive; omitted means to the end. */
  end?: number;
}

/** A stored object being read: the body, and which bytes of how many it holds. */
export interface ObjectDownload {
  body: Readable;
  size: number;
  /** The inclusive range the body holds (the whole object when no range was asked). */
  start: number;
  end: number;
  contentType?: string;
}

/** One page of a listing. */
export interface ListPage {
  objects: StoredObject[];
  /** Pass back as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

export interface ListOptions {
  cursor?: string;
  /** Objects per page, 1–1000 (default 1000). */
  limit?: number;
}

/**
 * Where recordings, thumbnails and offloaded HLS files live: a local folder or an S3 bucket.
 * Keys are relative slash-separated paths (`recordings/abc.mp4`); every implementation refuses
 * keys that could escape its root with StoragePathError.
 */
export interface Storage {
  readonly kind: 'local' | 's3';
  /** Stores the bytes under `key`, replacing any object there once complete (never half-written). */
  put(key: string, data: Readable | Buffer, options?: PutOptions): Promise<StoredObject>;
  /** Reads an object, or a byte range of it; StorageNotFoundError / StorageRangeError otherwise. */
  get(key: string, range?: ByteRange): Promise<ObjectDownload>;
  /** Size and time of an object, or undefined when absent. */
  stat(key: string): Promise<StoredObject | undefined>;
  /** Removes an object; absent objects are not an error. */
  delete(key: string): Promise<void>;
  /** Objects whose key starts with `prefix`, in key order, a page at a time. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
}

/** Resolves a requested range against an object size; undefined when it cannot be satisfied. */
export function resolveRange(range: ByteRange | undefined, size: number): { start: number; end: number } | undefined {
  if (range === undefined) return { start: 0, end: Math.max(0, size - 1) };
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (range.start < 0 || range.start >= size || end < range.start) return undefined;
  return { start: range.start, end };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  mp4: 'video/mp4',
  m4s: 'video/iso.segment',
  flv: 'video/x-flv',
  ts: 'video/mp2t',
  m3u8: 'application/vnd.apple.mpegurl',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  png: 'image/png',
  json: 'application/json',
};

/** The Content-Type of a key by its extension; octet-stream for unknown ones. */
export function contentTypeOf(key: string): string {
  const ext = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
