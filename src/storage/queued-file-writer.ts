import { open, type FileHandle } from 'node:fs/promises';
import { RecordingBackpressureError } from './errors.js';

/** Options of QueuedFileWriter. */
export interface QueuedFileWriterOptions {
  path: string;
  /** Bytes that may wait for the disk; past this the writer fails instead of growing memory. */
  maxQueuedBytes: number;
  /** Append to an existing file instead of truncating it. */
  append?: boolean;
}

/**
 * Appends buffers to a file in order without ever blocking the caller: writes are queued and
 * done one at a time in the background. The queue is bounded in bytes; when the disk falls
 * behind that far the writer fails (the publisher is never slowed, memory never grows).
 */
export class QueuedFileWriter {
  private handle: FileHandle | undefined;
  private readonly opening: Promise<void>;
  private queue: { data: Buffer; sync: boolean }[] = [];
  private queuedBytes = 0;
  private draining: Promise<void> | undefined;
  private failure: Error | undefined;
  private failListeners: ((err: Error) => void)[] = [];
  /** Bytes that reached the file. */
  written = 0;

  constructor(private readonly options: QueuedFileWriterOptions) {
    this.opening = open(options.path, options.append === true ? 'a' : 'w').then(
      (h) => {
        this.handle = h;
      },
      (err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))),
    );
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** Called once if the writer fails (a write error or the queue overflowing). */
  onFail(listener: (err: Error) => void): void {
    if (this.failure !== undefined) listener(this.failure);
    else this.failListeners.push(listener);
  }

  /**
   * Queues bytes; `sync` asks for an fdatasync after them (end of an MP4 fragment), so what a
   * crash leaves on disk ends on a fragment boundary. Returns false once the writer has failed.
   */
  write(data: Buffer, sync = false): boolean {
    if (this.failure !== undefined) return false;
    if (this.queuedBytes + data.length > this.options.maxQueuedBytes) {
      this.fail(new RecordingBackpressureError(this.queuedBytes + data.length, this.options.maxQueuedBytes));
      return false;
    }
    this.queue.push({ data, sync });
    this.queuedBytes += data.length;
    this.draining ??= this.drain();
    return true;
  }

  /** Waits for every queued write, syncs and closes the file; rejects with the failure, if any. */
  async close(): Promise<void> {
    await this.opening;
    while (this.draining !== undefined) await this.draining;
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) {
      try {
        if (this.failure === undefined) await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /** Drops what is queued and closes the file (after a failure, or when abandoning a recording). */
  async abort(): Promise<void> {
    this.queue = [];
    this.queuedBytes = 0;
    await this.close().catch(() => undefined);
  }

  private async drain(): Promise<void> {
    await this.opening;
    try {
      while (this.queue.length > 0 && this.failure === undefined && this.handle !== undefined) {
        const batch = this.queue;
        this.queue = [];
        // one writev per batch: fewer syscalls when several frames queued up
        const buffers = batch.map((b) => b.data);
        const bytes = buffers.reduce((t, b) => t + b.length, 0);
        await this.writeAll(this.handle, buffers, bytes);
        this.queuedBytes -= bytes;
        this.written += bytes;
        if (batch.some((b) => b.sync)) await this.handle.datasync();
      }
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.draining = undefined;
    }
  }

  private async writeAll(handle: FileHandle, buffers: Buffer[], bytes: number): Promise<void> {
    const first = (await handle.writev(buffers)).bytesWritten;
    if (first >= bytes) return;
    // a short writev (rare, large batches) continues from where it stopped
    const rest = Buffer.concat(buffers).subarray(first);
    let offset = 0;
    while (offset < rest.length) offset += (await handle.write(rest, offset)).bytesWritten;
  }

  private fail(err: Error): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.queue = [];
    this.queuedBytes = 0;
    for (const l of this.failListeners) l(err);
    this.failListeners = [];
  }
}
