import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ExchangeHeader, ExchangeHandler, HttpExchange, PreparedResponse } from '../../base/index.js';
import { isHeadError, parseRequestHead, type RequestHead } from './request-head.js';
import { WriteBatch } from './write-batch.js';

/** What a raw connection needs from its front. */
export interface RawConnectionHost {
  readonly handler: ExchangeHandler;
  readonly maxHeadBytes: number;
  /** Coarse clock (ms), refreshed once a second. */
  readonly now: number;
  /** `date: ...\r\n`, refreshed once a second. */
  readonly dateLine: string;
  /** Gives the socket, with `unread` bytes put back, to the full HTTP server. */
  handOver(socket: Socket, unread: Buffer | undefined): void;
  forget(connection: RawConnection): void;
}

const statusLines = new Map<number, string>();
function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    statusLines.set(status, line);
  }
  return line;
}

/** One batch for every connection of the process: the point is writing them all together. */
const batch = new WriteBatch();

// A client whose responses pile up this far is not reading: stop parsing its requests until it drains.
const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

/** Status line and headers of a response, up to and including the blank line. */
function responseHead(status: number, headers: readonly string[], dateLine: string, keepAlive: boolean): string {
  let head = statusLine(status);
  for (let i = 0; i + 1 < headers.length; i += 2) head += `${headers[i] as string}: ${headers[i + 1] as string}\r\n`;
  head += dateLine;
  return head + (keepAlive ? '\r\n' : 'connection: close\r\n\r\n');
}

/**
 * One keep-alive connection on the raw front. It is itself the `HttpExchange` of its current
 * request, so serving a request allocates no request or response objects. Requests are handled one
 * at a time in order (pipelined ones wait in `unread`); the first request no hot-path handler
 * takes sends the whole connection to the full server.
 */
export class RawConnection implements HttpExchange {
  method = '';
  url = '';
  answered = false;
  /** Coarse time of the last byte in or response out, for the idle sweep. */
  lastActive: number;
  private head: RequestHead | undefined;
  private unread: Buffer | undefined;
  private busy = false;
  private draining = false;
  private gone: (() => void) | undefined;
  private closed = false;
  private queuedBytes = 0;
  private queuedGeneration = -1;

  constructor(
    private readonly socket: Socket,
    private readonly host: RawConnectionHost,
    now: number,
  ) {
    this.lastActive = now;
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** Between requests with nothing half-received: safe to close on shutdown or idle timeout. */
  get idle(): boolean {
    return !this.busy && this.unread === undefined;
  }

  /** Part of a request head has arrived, the rest has not. */
  get waitingForHead(): boolean {
    return !this.busy && this.unread !== undefined;
  }

  header(name: ExchangeHeader): string | undefined {
    const h = this.head;
    if (h === undefined) return undefined;
    switch (name) {
      case 'range':
        return h.range;
      case 'if-none-match':
        return h.ifNoneMatch;
      case 'user-agent':
        return h.userAgent;
      case 'authorization':
        return h.authorization;
      case 'origin':
        return h.origin;
    }
  }

  respond(status: number, headers: readonly string[], body: Buffer | string | undefined): void {
    if (this.answered || this.closed) return;
    this.answered = true;
    this.lastActive = this.host.now;
    const keepAlive = this.head?.keepAlive ?? false;
    this.queue(responseHead(status, headers, this.host.dateLine, keepAlive), body);
    this.finishRequest(keepAlive);
  }

  respondPrepared(response: PreparedResponse): void {
    if (this.answered || this.closed) return;
    const keepAlive = this.head?.keepAlive ?? false;
    if (!keepAlive || this.method === 'HEAD') {
      this.respond(response.status, response.headers, this.method === 'HEAD' ? undefined : response.body);
      return;
    }
    this.answered = true;
    this.lastActive = this.host.now;
    const dateLine = this.host.dateLine;
    let bytes = response.bytes;
    if (bytes === undefined || response.bytesDateLine !== dateLine) {
      const head = responseHead(response.status, response.headers, dateLine, true);
      bytes = typeof response.body === 'string' ? Buffer.from(head + response.body, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), response.body]);
      response.bytes = bytes;
      response.bytesDateLine = dateLine;
    }
    this.queue(bytes, undefined);
    this.finishRequest(true);
  }

  abort(): void {
    this.socket.destroy();
  }

  onGone(fn: () => void): () => void {
    this.gone = fn;
    return () => {
      if (this.gone === fn) this.gone = undefined;
    };
  }

  close(): void {
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.lastActive = this.host.now;
    this.unread = this.unread === undefined ? chunk : Buffer.concat([this.unread, chunk]);
    if (!this.busy) this.serveUnread();
  };

  private readonly onClose = (): void => {
    this.closed = true;
    const gone = this.gone;
    this.gone = undefined;
    gone?.();
    this.host.forget(this);
  };

  /**
   * The client finished sending. HTTP clients that still want an answer keep their side open, so
   * a waiting request (a blocking reload) is abandoned at once rather than held to its timeout.
   */
  private readonly onEnd = (): void => {
    this.socket.destroy();
  };

  private readonly onError = (): void => {
    // 'close' follows; a reset by the peer is not our error to report.
  };

  /** Serves every complete request in `unread`, in order, until one has to wait. */
  private serveUnread(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (!this.busy && !this.closed && this.unread !== undefined) {
        const buf = this.unread;
        const parsed = parseRequestHead(buf, 0, this.host.maxHeadBytes);
        if (parsed === undefined) return;
        if (isHeadError(parsed)) {
          this.refuse(parsed.error === 'head-too-large' ? 431 : 400, parsed.message);
          return;
        }
        if (parsed.needsFullServer) {
          this.handOver();
          return;
        }
        this.head = parsed;
        this.method = parsed.method;
        this.url = parsed.url;
        this.answered = false;
        this.busy = true;
        let taken: boolean;
        try {
          taken = this.host.handler(this);
        } catch {
          taken = true;
          if (!this.answered) this.refuse(500, 'internal server error');
        }
        if (!taken) {
          this.busy = false;
          this.handOver();
          return;
        }
        // Taken: the request's bytes are consumed whether it was answered now or will be later.
        this.unread = parsed.length < buf.length ? buf.subarray(parsed.length) : undefined;
      }
    } finally {
      this.draining = false;
    }
  }

  private finishRequest(keepAlive: boolean): void {
    this.gone = undefined;
    this.busy = false;
    if (!keepAlive) {
      // The response is still in the batch: it goes out before the end.
      batch.flush();
      this.socket.end();
      this.closed = true;
      return;
    }
    if (this.socket.writableLength + this.queuedNow() > MAX_UNSENT_BYTES) {
      this.busy = true;
      this.socket.pause();
      // Immediates run in order: this one comes after the batch holding our responses is written.
      setImmediate(this.resumeWhenDrained);
      return;
    }
    // An answer that came later (a blocking reload) lets the pipelined requests behind it go on.
    if (!this.draining && this.unread !== undefined) this.serveUnread();
  }

  private readonly resumeWhenDrained = (): void => {
    if (this.closed) return;
    if (this.socket.writableLength > MAX_UNSENT_BYTES) {
      this.socket.once('drain', this.resumeWhenDrained);
      return;
    }
    this.busy = false;
    this.socket.resume();
    this.serveUnread();
  };

  /** Counts bytes this connection has waiting in the current batch (pipelined answers pile up there before any write). */
  private queue(head: string | Buffer, body: Buffer | string | undefined): void {
    if (this.queuedGeneration !== batch.generation) {
      this.queuedGeneration = batch.generation;
      this.queuedBytes = 0;
    }
    this.queuedBytes += head.length + (body?.length ?? 0);
    batch.add(this.socket, head, body);
  }

  private queuedNow(): number {
    return this.queuedGeneration === batch.generation ? this.queuedBytes : 0;
  }

  private refuse(status: number, message: string): void {
    const code = status === 500 ? 'INTERNAL' : status === 431 ? 'HEAD_TOO_LARGE' : 'BAD_REQUEST';
    const body = JSON.stringify({ error: { code, message, details: {} } });
    this.head = undefined;
    this.unread = undefined;
    this.answered = false;
    this.busy = true;
    this.respond(status, ['content-type', 'application/json; charset=utf-8', 'content-length', String(body.length)], body);
  }

  private handOver(): void {
    // Responses of earlier requests on this connection go out before the full server answers.
    batch.flush();
    const unread = this.unread;
    this.unread = undefined;
    this.closed = true;
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
    this.host.forget(this);
    this.host.handOver(this.socket, unread);
  }
}
