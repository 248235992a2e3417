import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/**
 * A UDP relay between a browser and the server with a bandwidth limit on the server → browser
 * direction, to put a real bottleneck on one WebRTC path. The browser is told the server lives at
 * `towardServer` and the server is told the browser lives at `towardBrowser`; each side then sees
 * packets come from exactly the address it expects, so ICE passes through untouched.
 */
export interface UdpRelay {
  /** Port the browser sends to (stands for the server). */
  towardServer: number;
  /** Port the server sends to (stands for the browser). */
  towardBrowser: number;
  /**
   * Bytes per second allowed toward the browser; Infinity lifts the limit. With `queueMs`, packets
   * above the rate wait in a FIFO holding up to that long at the rate (a router's queue: delay
   * grows before anything drops); without, they are dropped once a 500 ms burst allowance is spent.
   */
  setLimit(bytesPerSecond: number, queueMs?: number): void;
  /** Drops every `n`th RTP packet toward the browser (0: none); RTCP, STUN and DTLS always pass. */
  setLoss(n: number): void;
  /** Where the server is, when it was not known at the start (a WHEP answer names it). */
  setServerPort(port: number): void;
  /** Packets dropped by the limit so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

async function bind(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

/** Relays to the server at 127.0.0.1:`serverPort` (or the one set later); the browser's address is learned from its first packet. */
export async function startUdpRelay(serverPort?: number): Promise<UdpRelay> {
  const browserSide = await bind();
  const serverSide = await bind();
  let browser: RemoteInfo | undefined;
  let limit = Infinity;
  // a token bucket holding at most 500 ms of the allowed rate (a router's queue): short bursts such
  // as a keyframe pass, a sustained rate above the limit is dropped
  let tokens = 0;
  let refilledAt = performance.now();
  let dropped = 0;
  let lossEvery = 0;
  let rtpSeen = 0;
  let server = serverPort;
  let queueMs = 0;
  const queue: Buffer[] = [];
  let queuedBytes = 0;
  let drainTimer: NodeJS.Timeout | undefined;

  const toBrowser = (msg: Buffer): void => {
    if (browser !== undefined) browserSide.send(msg, browser.port, browser.address);
  };
  const refill = (): void => {
    const now = performance.now();
    // a queueing link passes no burst beyond 20 ms of its rate (or one full packet); a dropping one holds 500 ms
    tokens = Math.min(queueMs > 0 ? Math.max(limit / 50, 1500) : limit / 2, tokens + ((now - refilledAt) / 1000) * limit);
    refilledAt = now;
  };
  const drain = (): void => {
    drainTimer = undefined;
    refill();
    while (queue.length > 0 && tokens >= (queue[0] as Buffer).length) {
      const msg = queue.shift() as Buffer;
      queuedBytes -= msg.length;
      tokens -= msg.length;
      toBrowser(msg);
    }
    const head = queue[0];
    if (head !== undefined) drainTimer = setTimeout(drain, Math.max(1, ((head.length - tokens) / limit) * 1000));
  };

  browserSide.on('message', (msg, from) => {
    browser = from;
    if (server !== undefined) serverSide.send(msg, server, '127.0.0.1');
  });
  serverSide.on('message', (msg) => {
    if (browser === undefined) return;
    // RTP (not RTCP: payload types 64-95 there) by RFC 7983's first-byte ranges
    const b0 = msg[0] ?? 0;
    const pt = (msg[1] ?? 0) & 0x7f;
    if (lossEvery > 0 && b0 >= 128 && b0 <= 191 && (pt < 64 || pt > 95) && ++rtpSeen % lossEvery === 0) {
      dropped++;
      return;
    }
    if (limit !== Infinity) {
      refill();
      // STUN (first byte 0 or 1) always passes: the path must stay up, only media is squeezed
      const stun = (msg[0] ?? 0) < 2;
      if (!stun && (queue.length > 0 || tokens < msg.length)) {
        if (queueMs > 0 && queuedBytes + msg.length <= (limit * queueMs) / 1000) {
          queue.push(msg);
          queuedBytes += msg.length;
          drainTimer ??= setTimeout(drain, 1);
        } else dropped++;
        return;
      }
      if (!stun) tokens -= msg.length;
    }
    toBrowser(msg);
  });

  return {
    towardServer: browserSide.address().port,
    towardBrowser: serverSide.address().port,
    setLimit(bytesPerSecond, queueLimitMs = 0) {
      limit = bytesPerSecond;
      queueMs = queueLimitMs;
      if (limit === Infinity) {
        clearTimeout(drainTimer);
        drainTimer = undefined;
        for (const msg of queue.splice(0)) toBrowser(msg);
        queuedBytes = 0;
      }
      tokens = 0;
      refilledAt = performance.now();
    },
    setLoss(n) {
      lossEvery = n;
    },
    setServerPort(port) {
      server = port;
    },
    get dropped() {
      return dropped;
    },
    async close() {
      clearTimeout(drainTimer);
      await Promise.all([new Promise<void>((r) => browserSide.close(() => r())), new Promise<void>((r) => serverSide.close(() => r()))]);
    },
  };
}
