import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { buildTextFrame } from './ws-frame.js';
import type { ChatIdentity } from './types.js';

function headerLength(frame: Buffer): number {
  const len7 = (frame[1] ?? 0) & 0x7f;
  return len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
}

/** Close codes the chat uses (4000-4999 are for applications, RFC 6455 §7.4.2). */
export const CloseCode = {
  policy: 1008,
  tooBig: 1009,
  authFailed: 4401,
  banned: 4403,
  tooSlow: 4408,
  shuttingDown: 1001,
} as const;

/**
 * One WebSocket of the chat. Frames are written straight to the TCP socket as pre-built bytes
 * (ws's own sender would frame every message again for every client); ws still handles reading,
 * ping/pong and close. With permessage-deflate off, ws writes its control frames synchronously,
 * so our writes and its writes never interleave inside a frame.
 */
export class ClientConnection {
  identity: ChatIdentity;
  readonly rooms = new Set<string>();
  strikes = 0;
  private closed = false;
  private readonly raw: Socket | undefined;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    identity: ChatIdentity,
    private readonly maxBufferedBytes: number,
    private readonly onTooSlow: (c: ClientConnection) => void,
  ) {
    this.identity = identity;
    this.raw = (ws as unknown as { _socket?: Socket })._socket;
  }

  get isClosed(): boolean {
    return this.closed || this.ws.readyState !== this.ws.OPEN;
  }

  /** Writes a pre-built frame shared with other clients; a client over its buffer bound is dropped. */
  writeFrame(frame: Buffer): void {
    if (this.isClosed) return;
    const raw = this.raw;
    if (raw === undefined) {
      // Not a plain TCP socket underneath (should not happen with ws): let ws frame the payload.
      this.ws.send(frame.subarray(headerLength(frame)));
      return;
    }
    if (raw.destroyed) return;
    if (raw.writableLength > this.maxBufferedBytes) {
      this.onTooSlow(this);
      this.close(CloseCode.tooSlow, `too slow: more than ${this.maxBufferedBytes} bytes unsent`, true);
      return;
    }
    raw.write(frame);
  }

  /** Sends one event (or several joined by "\n") to this client only. */
  sendText(text: string): void {
    this.writeFrame(buildTextFrame(Buffer.from(text)));
  }

  get bufferedBytes(): number {
    return this.raw?.writableLength ?? 0;
  }

  /** Closes with a code and reason; `hard` ends the TCP connection if the close handshake does not finish soon. */
  close(code: number, reason: string, hard = false): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
    // A client that does not read will never answer the close frame.
    const timer = setTimeout(() => this.ws.terminate(), hard ? 1000 : 5000);
    timer.unref();
    this.ws.once('close', () => clearTimeout(timer));
  }
}
