import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A frame a client sent, unmasked; `masked` says whether the client masked it as it must. */
export interface ClientFrame {
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** Encodes a server frame; `lengthBytes` forces a (legal but not minimal) 16- or 64-bit length. */
export function serverFrame(opcode: number, payload: Buffer, options: { fin?: boolean; lengthBytes?: 0 | 2 | 8 } = {}): Buffer {
  const n = payload.length;
  const lengthBytes = options.lengthBytes === 8 || n >= 65536 ? 8 : options.lengthBytes === 2 || n >= 126 ? 2 : 0;
  const head = Buffer.alloc(2 + lengthBytes);
  head[0] = (options.fin === false ? 0 : 0x80) | opcode;
  if (lengthBytes === 0) head[1] = n;
  else if (lengthBytes === 2) {
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Splits client bytes into frames; returns the frames and the bytes of an incomplete one. */
export function parseClientFrames(buf: Buffer): { frames: ClientFrame[]; rest: Buffer } {
  const frames: ClientFrame[] = [];
  let off = 0;
  while (buf.length - off >= 2) {
    const b1 = buf[off + 1] as number;
    let len = b1 & 0x7f;
    let head = 2;
    if (len === 126) {
      if (buf.length - off < 4) break;
      len = buf.readUInt16BE(off + 2);
      head = 4;
    } else if (len === 127) {
      if (buf.length - off < 10) break;
      len = Number(buf.readBigUInt64BE(off + 2));
      head = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const keyAt = off + head;
    if (masked) head += 4;
    if (buf.length - off < head + len) break;
    const payload = Buffer.from(buf.subarray(off + head, off + head + len));
    if (masked) for (let i = 0; i < len; i++) payload[i] = (payload[i] as number) ^ (buf[keyAt + (i & 3)] as number);
    frames.push({ opcode: (buf[off] as number) & 0x0f, masked, payload });
    off += head + len;
  }
  return { frames, rest: buf.subarray(off) };
}

/** One accepted client of the fake server, after its upgrade request. */
export interface FakeClient {
  readonly socket: Socket;
  /** The request line, e.g. `GET /ws/chat?room=bench HTTP/1.1`. */
  readonly requestLine: string;
  readonly frames: ClientFrame[];
  /** Resolves once the client has sent `count` frames in all, or has gone. */
  framesReceived(count: number): Promise<void>;
}

/** The fake server's default answer (the reader does not check Sec-WebSocket-Accept). */
export const UPGRADE_RESPONSE = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: unchecked\r\n\r\n';

/**
 * A TCP server on 127.0.0.1 that answers every upgrade request with `response` (101 by default)
 * and hands each client to `onClient`, for driving the native reader with exact bytes.
 */
export async function startFakeServer(onClient: (client: FakeClient) => void, response = UPGRADE_RESPONSE): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      for (const w of client?.waiters.splice(0) ?? []) w.resolve();
    });
    socket.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let client: (FakeClient & { waiters: { count: number; resolve: () => void }[] }) | undefined;
    let rest = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (client === undefined) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const frames: ClientFrame[] = [];
        const waiters: { count: number; resolve: () => void }[] = [];
        client = {
          socket,
          requestLine: head.subarray(0, head.indexOf('\r\n')).toString('latin1'),
          frames,
          waiters,
          framesReceived: (count) => (frames.length >= count || socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
        };
        chunk = head.subarray(end + 4);
        socket.write(response);
        onClient(client);
      }
      const parsed = parseClientFrames(Buffer.concat([rest, chunk]));
      rest = Buffer.from(parsed.rest);
      client.frames.push(...parsed.frames);
      for (const w of client.waiters.filter((x) => client !== undefined && client.frames.length >= x.count)) {
        w.resolve();
        client.waiters.splice(client.waiters.indexOf(w), 1);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
