import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Immutable media (finished HLS segments) kept in shared memory and sent to sockets with
 * sendfile(2), so the kernel takes the pages by reference instead of a copy per request. Backed by
 * the native addon in `native/zerocopy` (Linux, built at install by scripts/build-native.mjs);
 * where it is missing every function here degrades to the ordinary copy path.
 */

interface NativeZeroCopy {
  shareParts(parts: readonly Buffer[]): { buffer: Buffer; fd: number };
  start(onDone: (job: number, negErrno: number) => void, stallMs: number): void;
  send(socketFd: number, head: Buffer, fileFd: number, offset: number, length: number, keep: object): number;
  abort(job: number): void;
  stats(): ZeroCopyStats;
}

/** Counters of the zero-copy sender, for metrics and tests. */
export interface ZeroCopyStats {
  /** Shared segments alive in this process, and their bytes. */
  liveSegments: number;
  liveBytes: number;
  /** Responses sent whole by the calling thread, and finished by the sender thread. */
  sentAtOnce: number;
  sentByThread: number;
  failed: number;
  /** Responses the sender thread is still writing. */
  pending: number;
}

/** A client that takes nothing of a response for this long is dropped by the sender thread. */
const STALL_MS = 60_000;

const ADDON = fileURLToPath(new URL('../../native/zerocopy/build/zerocopy.node', import.meta.url));

let native: NativeZeroCopy | null | undefined;
let unavailable: string | undefined;
const fileOf = new WeakMap<ArrayBufferLike, number>();
const waiting = new Map<number, (negErrno: number) => void>();

function load(): NativeZeroCopy | null {
  if (native !== undefined) return native;
  if (process.platform !== 'linux') {
    unavailable = 'zero-copy sending is Linux-only';
  } else if (!existsSync(ADDON)) {
    unavailable = `the native sender is not built (${ADDON} missing: run "node scripts/build-native.mjs")`;
  } else {
    try {
      const addon = createRequire(import.meta.url)(ADDON) as NativeZeroCopy;
      addon.start((job, negErrno) => {
        const done = waiting.get(job);
        waiting.delete(job);
        done?.(negErrno);
      }, STALL_MS);
      native = addon;
      return addon;
    } catch (err) {
      unavailable = `the native sender failed to load: ${(err as Error).message}`;
    }
  }
  native = null;
  return null;
}

/** Why zero-copy sending is off on this machine, or undefined when it is on. */
export function zeroCopyUnavailableReason(): string | undefined {
  load();
  return unavailable;
}

export function zeroCopyStats(): ZeroCopyStats | undefined {
  return load()?.stats();
}

/**
 * Joins `parts` into one Buffer that must never be written to. With `shared` and the native
 * sender present it lives in shared memory, and `sendShared` can send it without copying.
 */
export function joinImmutable(parts: readonly Buffer[], shared: boolean): Buffer {
  const addon = shared ? load() : null;
  if (addon === null || parts.length === 0 || parts.every((p) => p.length === 0)) return Buffer.concat(parts);
  const { buffer, fd } = addon.shareParts(parts);
  fileOf.set(buffer.buffer, fd);
  return buffer;
}

/** Whether `body` (or the Buffer it is a slice of) lives in shared memory. */
export function isShared(body: Buffer): boolean {
  return fileOf.has(body.buffer);
}

/**
 * Sends `head` then `body` on the socket behind `socketFd`, by reference. The caller must have
 * nothing else queued on that socket and must write nothing to it until the send ends.
 * Returns undefined when `body` is not shared (send it the ordinary way); 0 when all was sent now;
 * a negative errno when it failed now; or a positive job id, in which case `done(0 or -errno)`
 * is called once the sender thread has finished it.
 */
export function sendShared(socketFd: number, head: Buffer, body: Buffer, done: (negErrno: number) => void): number | undefined {
  const fd = fileOf.get(body.buffer);
  const addon = native;
  if (fd === undefined || addon === null || addon === undefined) return undefined;
  const result = addon.send(socketFd, head, fd, body.byteOffset, body.length, body);
  if (result > 0) waiting.set(result, done);
  return result;
}

/** Ends a pending send by shutting its connection down; its `done` then reports an error. */
export function abortSharedSend(job: number): void {
  native?.abort(job);
}
