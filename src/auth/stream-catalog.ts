import { randomBytes } from 'node:crypto';
import { ManagedStreamExistsError, ManagedStreamNotFoundError } from './errors.js';
import type { Page } from './user-directory.js';

/** A stream created through the API: its public id, owner and settings (the live state is the hub's). */
export interface ManagedStream {
  id: string;
  title: string;
  private: boolean;
  ownerId: string;
  /** Stopped by an operator: publishing is refused until started again. */
  stopped: boolean;
  createdAt: string;
  updatedAt: string;
}

/**
 * The streams created through the API. Lookups by id are a Map read, because the playback
 * authorizer asks on every HLS request whether a stream is private.
 */
export class StreamCatalog {
  private readonly streams = new Map<string, ManagedStream>();
  /** Called after every change, so a store can persist the catalog. */
  onChange: (() => void) | undefined;

  snapshot(): ManagedStream[] {
    return [...this.streams.values()].map((s) => ({ ...s }));
  }

  /** Loads saved streams (at start-up). */
  restore(saved: readonly ManagedStream[]): void {
    for (const s of saved) this.streams.set(s.id, { ...s });
  }

  create(input: { id?: string; title: string; private: boolean; ownerId: string }): ManagedStream {
    const id = input.id ?? `st_${randomBytes(9).toString('base64url').replace(/-/g, 'x')}`;
    if (this.streams.has(id)) throw new ManagedStreamExistsError(id);
    const now = new Date().toISOString();
    const stream: ManagedStream = { id, title: input.title, private: input.private, ownerId: input.ownerId, stopped: false, createdAt: now, updatedAt: now };
    this.streams.set(id, stream);
    this.onChange?.();
    return { ...stream };
  }

  get(id: string): ManagedStream | undefined {
    return this.streams.get(id);
  }

  require(id: string): ManagedStream {
    const s = this.streams.get(id);
    if (s === undefined) throw new ManagedStreamNotFoundError(id);
    return s;
  }

  update(id: string, patch: { title?: string; private?: boolean; stopped?: boolean }): ManagedStream {
    const s = this.require(id);
    if (patch.stopped !== undefined) s.stopped = patch.stopped;
    if (patch.title !== undefined) s.title = patch.title;
    if (patch.private !== undefined) s.private = patch.private;
    s.updatedAt = new Date().toISOString();
    this.onChange?.();
    return { ...s };
  }

  delete(id: string): void {
    if (!this.streams.delete(id)) throw new ManagedStreamNotFoundError(id);
    this.onChange?.();
  }

  /** Streams passing `filter`, in creation order; `cursor` is the last id of the previous page. */
  list(limit: number, cursor: string | undefined, filter: (s: ManagedStream) => boolean): Page<ManagedStream> {
    const all = [...this.streams.values()].filter(filter);
    const start = cursor === undefined ? 0 : all.findIndex((s) => s.id === cursor) + 1;
    const items = all.slice(start, start + limit).map((s) => ({ ...s }));
    const last = items[items.length - 1];
    return { items, ...(start + limit < all.length && last !== undefined ? { nextCursor: last.id } : {}) };
  }
}
