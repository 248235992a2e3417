import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortSharedSend, isShared, joinImmutable, sendShared, zeroCopyStats, zeroCopyUnavailableReason } from './zero-copy.js';

/** A connected pair on loopback: `server` is the accepted side (the one we send on). */
async function socketPair(srv: Server): Promise<{ server: Socket; client: Socket }> {
  const accepted = once(srv, 'connection') as Promise<[Socket]>;
  const address = srv.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const client = connect(address.port, '127.0.0.1');
  await once(client, 'connect');
  const [server] = await accepted;
  return { server, client };
}

function fdOf(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined) throw new Error('socket has no descriptor');
  return fd;
}

/** Reads `n` bytes from the client, optionally pausing first so the sender has to wait. */
async function readAll(client: Socket, n: number, pauseMs = 0): Promise<Buffer> {
  if (pauseMs > 0) {
    client.pause();
    await new Promise((r) => setTimeout(r, pauseMs));
    client.resume();
  }
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error(`closed after ${got} of ${n} bytes`));
    const onData = (c: Buffer): void => {
      chunks.push(c);
      got += c.length;
      if (got >= n) {
        client.off('data', onData);
        client.off('close', onClose);
        resolve(Buffer.concat(chunks));
      }
    };
    client.on('data', onData);
    client.once('close', onClose);
  });
}

/** Sends head + body with sendShared and resolves with the final result (0 or -errno). */
function send(server: Socket, head: Buffer, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const now = sendShared(fdOf(server), head, body, resolve);
    if (now === undefined) throw new Error('body is not shared');
    if (now <= 0) resolve(now);
  });
}

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('zero-copy segments', () => {
  let srv: Server;
  beforeAll(async () => {
    srv = createServer();
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
  });
  afterAll(() => srv.close());

  it('is available on this machine (the test suite builds it)', () => {
    expect(zeroCopyUnavailableReason()).toBeUndefined();
  });

  it('joins parts into a shared, readable Buffer whose slices are shared too', () => {
    const parts = [pattern(1000, 1), pattern(0, 2), pattern(70_000, 3)];
    const joined = joinImmutable(parts, true);
    expect(joined.equals(Buffer.concat(parts))).toBe(true);
    expect(isShared(joined)).toBe(true);
    expect(isShared(joined.subarray(500, 900))).toBe(true);
    expect(isShared(Buffer.concat(parts))).toBe(false);
    expect(isShared(joinImmutable(parts, false))).toBe(false);
    // Nothing to map: an empty join is an ordinary empty Buffer.
    expect(joinImmutable([Buffer.alloc(0)], true).length).toBe(0);
    expect(zeroCopyStats()?.liveSegments).toBeGreaterThan(0);
  });

  it('sends a body larger than the socket buffer to a slow reader, header first, finishing on the sender thread', async () => {
    const { server, client } = await socketPair(srv);
    const body = joinImmutable([pattern(6 * 1024 * 1024, 7), pattern(3 * 1024 * 1024, 9)], true);
    const head = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 9437184\r\n\r\n', 'latin1');
    const before = zeroCopyStats()?.sentByThread ?? 0;
    const received = readAll(client, head.length + body.length, 300);
    expect(await send(server, head, body)).toBe(0);
    const bytes = await received;
    expect(bytes.subarray(0, head.length).equals(head)).toBe(true);
    expect(bytes.subarray(head.length).equals(body)).toBe(true);
    expect(zeroCopyStats()?.sentByThread).toBeGreaterThan(before);
    server.destroy();
    client.destroy();
  });

  it('reports an error when the reader goes away mid-send, and when the send is aborted', async () => {
    const body = joinImmutable([pattern(16 * 1024 * 1024, 5)], true);
    const gone = await socketPair(srv);
    gone.client.pause();
    const result = send(gone.server, Buffer.from('x'), body);
    await new Promise((r) => setTimeout(r, 100));
    gone.client.destroy();
    expect(await result).toBeLessThan(0);
    gone.server.destroy();

    const aborted = await socketPair(srv);
    aborted.client.pause();
    const clientClosed = once(aborted.client, 'close');
    let job = 0;
    const done = new Promise<number>((resolve) => {
      job = sendShared(fdOf(aborted.server), Buffer.from('x'), body, resolve) ?? 0;
    });
    expect(job).toBeGreaterThan(0);
    abortSharedSend(job);
    expect(await done).toBeLessThan(0);
    aborted.server.destroy();
    aborted.client.resume();
    await clientClosed;
    expect(zeroCopyStats()?.pending).toBe(0);
  });

  it('sends exactly the slice asked for (property)', async () => {
    const { server, client } = await socketPair(srv);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 300_000 }), { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat({ max: 200 }),
        async (sizes, a, b, headLen) => {
          const parts = sizes.map((n, i) => pattern(n, i));
          const total = sizes.reduce((x, y) => x + y, 0);
          fc.pre(total > 0);
          const joined = joinImmutable(parts, true);
          const start = Math.floor(Math.min(a, b) * total);
          const end = Math.floor(Math.max(a, b) * total);
          const slice = joined.subarray(start, end);
          const head = pattern(headLen, 99);
          if (head.length + slice.length === 0) return;
          const received = readAll(client, head.length + slice.length);
          expect(await send(server, head, slice)).toBe(0);
          const bytes = await received;
          expect(bytes.equals(Buffer.concat([head, Buffer.concat(parts).subarray(start, end)]))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
    server.destroy();
    client.destroy();
  });
});
