import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageBackendError, StorageNotFoundError, StoragePathError, StorageRangeError } from './errors.js';
import { safeKey, safePrefix } from './path-safety.js';
import { contentTypeOf, resolveRange, type ByteRange, type ListOptions, type ListPage, type ObjectDownload, type PutOptions, type Storage, type StoredObject } from './storage.js';

/** Options of LocalStorage. */
export interface LocalStorageOptions {
  /** The folder every key lives under; created when missing. */
  root: string;
}

// temp files of unfinished writes: skipped by list(), never a valid key (keys cannot hold '~')
const TEMP_MARK = '.~part-';

/** Storage in a local folder: keys are confined to the root, writes land atomically (temp file, then rename). */
export class LocalStorage implements Storage {
  readonly kind = 'local' as const;
  private readonly root: string;

  constructor(options: LocalStorageOptions) {
    this.root = resolve(options.root);
  }

  /** The file a key maps to; refuses keys that resolve outside the root even after the key checks. */
  pathOf(key: string): string {
    const file = resolve(this.root, safeKey(key));
    const rel = relative(this.root, file);
    if (rel === '' || isAbsolute(rel) || rel.split(sep)[0] === '..' || resolve(this.root, rel) !== file) throw new StoragePathError(key, 'outside the storage root');
    return file;
  }

  async put(key: string, data: Readable | Buffer, _options?: PutOptions): Promise<StoredObject> {
    const file = this.pathOf(key);
    const temp = `${file}${TEMP_MARK}${randomBytes(6).toString('hex')}`;
    try {
      await mkdir(dirname(file), { recursive: true });
      const source = Buffer.isBuffer(data) ? Readable.from([data]) : data;
      await pipeline(source, createWriteStream(temp, { flags: 'wx', flush: true }));
      // rename is atomic on one file system: readers see the old object or the new one, never half
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw new StorageBackendError('put', key, { cause: err });
    }
    const s = await stat(file);
    return { key, size: s.size, modifiedAt: s.mtimeMs };
  }

  async get(key: string, range?: ByteRange): Promise<ObjectDownload> {
    const file = this.pathOf(key);
    const info = await this.stat(key);
    if (info === undefined) throw new StorageNotFoundError(key);
    if (info.size === 0 && range === undefined) return { body: Readable.from([]), size: 0, start: 0, end: -1, contentType: contentTypeOf(key) };
    const r = resolveRange(range, info.size);
    if (r === undefined) throw new StorageRangeError(key, info.size);
    return { body: createReadStream(file, { start: r.start, end: r.end }), size: info.size, start: r.start, end: r.end, contentType: contentTypeOf(key) };
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const file = this.pathOf(key);
    try {
      const s = await stat(file);
      return s.isFile() ? { key, size: s.size, modifiedAt: s.mtimeMs } : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StorageBackendError('stat', key, { cause: err });
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageBackendError('delete', key, { cause: err });
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    safePrefix(prefix);
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 1000);
    // walk only the folder the prefix names: `recordings/ab` lists inside `recordings/`
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys = (await this.walk(folder)).filter((k) => k.startsWith(prefix) && (options.cursor === undefined || k > options.cursor)).sort();
    const page = keys.slice(0, limit);
    const objects: StoredObject[] = [];
    for (const key of page) {
      const s = await this.stat(key);
      if (s !== undefined) objects.push(s);
    }
    const last = page[page.length - 1];
    return keys.length > limit && last !== undefined ? { objects, nextCursor: last } : { objects };
  }

  private async walk(folder: string): Promise<string[]> {
    const dir = folder === '' ? this.root : join(this.root, folder);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true, recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StorageBackendError('list', folder, { cause: err });
    }
    const keys: string[] = [];
    for (const e of entries) {
      if (!e.isFile() || e.name.includes(TEMP_MARK)) continue;
      keys.push(relative(this.root, join(e.parentPath, e.name)).split(sep).join('/'));
    }
    return keys;
  }
}
