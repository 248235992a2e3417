import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientHandshake } from '../src/protocols/rtmp/handshake/index.js';
import { makeClip } from './helpers/clip.js';
import { publishClip, type FfmpegProcess } from './helpers/ffmpeg.js';
import { startRtmpPlayer, type RecordingPlayer } from './helpers/players.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

/** Sends bytes on a fresh connection and resolves once the server has closed it (or after `ms`). */
function sendAndWaitClose(port: number, chunks: readonly Buffer[], ms = 3000): Promise<'closed' | 'still-open'> {
  return new Promise((resolve) => {
    const sock: Socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      sock.destroy();
      resolve('still-open');
    }, ms);
    sock.on('error', () => undefined);
    sock.on('data', () => undefined);
    sock.once('connect', () => {
      for (const c of chunks) sock.write(c);
    });
    sock.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

/** A valid plain handshake (C0+C1, then C2 echoing S1), then whatever bytes follow. */
function afterHandshake(port: number, tail: Buffer, ms = 3000): Promise<'closed' | 'still-open'> {
  return new Promise((resolve) => {
    const shake = new ClientHandshake({ digest: false });
    const sock = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      sock.destroy();
      resolve('still-open');
    }, ms);
    sock.on('error', () => undefined);
    let done = false;
    sock.once('connect', () => sock.write(shake.start()));
    sock.on('data', (d: Buffer) => {
      if (done) return;
      const step = shake.push(d);
      for (const b of step.send) sock.write(b);
      if (step.done) {
        done = true;
        sock.write(tail);
      }
    });
    sock.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

function maxGap(values: readonly number[]): number {
  let gap = 0;
  for (let i = 1; i < values.length; i++) gap = Math.max(gap, (values[i] as number) - (values[i - 1] as number));
  return gap;
}

describe('garbage on the RTMP port and the HTTP-FLV endpoint while a stream is live', () => {
  let server: TestServer;
  let publisher: FfmpegProcess;
  let player: RecordingPlayer;

  beforeAll(async () => {
    const clip = await makeClip();
    server = await startTestServer();
    publisher = publishClip(clip, server.rtmpUrl('steady'));
    await waitFor(() => server.live.streams.get('steady')?.state === 'LIVE', 'stream live');
    player = await startRtmpPlayer(server.rtmpUrl('steady'));
  });

  afterAll(async () => {
    player?.client.close();
    await publisher?.stop();
    await server?.stop();
  });

  it('closes every bad connection and the viewer keeps receiving without a gap', async () => {
    const rtmpPort = server.live.rtmpPort!;
    const httpPort = server.live.httpPort!;
    const startIndex = player.messages.length;
    const results: Array<Promise<'closed' | 'still-open'>> = [];

    // Not RTMP at all: a wrong version byte.
    for (let i = 0; i < 10; i++) results.push(sendAndWaitClose(rtmpPort, [Buffer.concat([Buffer.from([0x47]), randomBytes(3000)])]));
    // A good handshake, then chunk garbage.
    for (let i = 0; i < 10; i++) results.push(afterHandshake(rtmpPort, randomBytes(4000)));
    // A message declaring 16 MiB - 1 bytes.
    results.push(afterHandshake(rtmpPort, Buffer.from([0x03, 0, 0, 0, 0xff, 0xff, 0xff, 0x14, 0, 0, 0, 0])));
    // Chunk size 0, then a huge chunk size.
    results.push(afterHandshake(rtmpPort, Buffer.from([0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0])));
    results.push(afterHandshake(rtmpPort, Buffer.from([0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0x03, 0, 0, 0, 0, 0, 1, 0x14, 0, 0, 0, 0, 0])));
    // Deeply nested AMF in a command.
    const nested = Buffer.concat([Buffer.from([0x02, 0x00, 0x07]), Buffer.from('connect'), Buffer.alloc(3000, 0x03)]);
    const header = Buffer.from([0x03, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0]);
    header.writeUIntBE(nested.length, 4, 3);
    const chunked: Buffer[] = [header];
    for (let o = 0; o < nested.length; o += 128) chunked.push(...(o > 0 ? [Buffer.from([0xc3])] : []), nested.subarray(o, o + 128));
    results.push(afterHandshake(rtmpPort, Buffer.concat(chunked)));
    // HTTP garbage and malformed requests on the FLV endpoint.
    results.push(sendAndWaitClose(httpPort, [randomBytes(5000)]));
    results.push(sendAndWaitClose(httpPort, [Buffer.from('GET /live/%%%.flv HTTP/1.1\r\nHost: x\r\n\r\n')]));
    results.push(sendAndWaitClose(httpPort, [Buffer.from(`GET /live/${'a'.repeat(100_000)}.flv HTTP/1.1\r\nHost: x\r\n\r\n`)]));
    results.push(sendAndWaitClose(httpPort, [Buffer.from('GET /live/steady.flv HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: bad\r\n\r\n')]));

    const outcomes = await Promise.all(results);
    for (const [i, o] of outcomes.entries()) {
      // HTTP keep-alive may hold a connection open after answering a 4xx: only RTMP must hang up.
      if (i < 24) expect(o, `rtmp garbage connection #${i}`).toBe('closed');
    }
    const traversal = await fetch(`http://127.0.0.1:${httpPort}/live/..%2f..%2fetc%2fpasswd.flv`);
    expect(traversal.status).toBe(404);
    await new Promise((r) => setTimeout(r, 500));

    const during = player.messages.slice(startIndex).filter((m) => m.typeId === 9);
    expect(during.length).toBeGreaterThan(40);
    expect(maxGap(during.map((m) => m.receivedAt))).toBeLessThan(400);
    expect(maxGap(during.map((m) => m.timestamp))).toBeLessThanOrEqual(100);
    expect(server.live.streams.get('steady')?.state).toBe('LIVE');
  });

  it('random byte streams after a valid handshake never take the server down (property)', async () => {
    const port = server.live.rtmpPort!;
    const before = player.messages.length;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 3000 }), async (bytes) => {
        const outcome = await afterHandshake(port, Buffer.from(bytes), 800);
        // Either the server closed it (bad input) or it is waiting for more bytes of a valid prefix.
        expect(['closed', 'still-open']).toContain(outcome);
      }),
      { numRuns: 15 },
    );
    const res = await fetch(server.httpUrl('/healthz'));
    expect(res.status).toBe(200);
    expect(server.live.streams.get('steady')?.state).toBe('LIVE');
    expect(player.messages.length).toBeGreaterThan(before + 100);
  });
});
