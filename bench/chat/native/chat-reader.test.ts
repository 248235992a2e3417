import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverFrame, startFakeServer, UPGRADE_RESPONSE, type FakeClient } from './fake-ws-server.js';
import { buildChatReader } from './index.js';

type Line = Record<string, number | string | null>;

let binary: string;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chat-reader-'));
  // sanitized: a wrong index or overflow in the parser then fails the test instead of passing by luck
  binary = buildChatReader(dir, { flags: ['-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all'] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The reader as a child with --control: its JSON lines, awaited by event; rejects if it dies first. */
function runReader(args: string[]): { child: ChildProcessWithoutNullStreams; next(event: string): Promise<Line> } {
  const child = spawn(binary, ['--control', ...args]);
  const lines: Line[] = [];
  const waiters: { event: string; resolve: (l: Line) => void; reject: (e: Error) => void }[] = [];
  let stderr = '';
  let exited: Error | undefined;
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const output = createInterface({ input: child.stdout });
  output.on('line', (text) => {
    const line = JSON.parse(text) as Line;
    const i = waiters.findIndex((w) => w.event === line['event']);
    if (i >= 0) waiters.splice(i, 1)[0]?.resolve(line);
    else lines.push(line);
  });
  // 'close' of the line reader comes after its last line, so a final result is never lost
  output.on('close', () => {
    exited = new Error(`chat-reader ended (exit ${String(child.exitCode ?? child.signalCode)}): ${stderr}`);
    for (const w of waiters.splice(0)) w.reject(exited);
  });
  return {
    child,
    next: (event) => {
      const i = lines.findIndex((l) => l['event'] === event);
      if (i >= 0) return Promise.resolve(lines.splice(i, 1)[0] as Line);
      if (exited !== undefined) return Promise.reject(exited);
      return new Promise((resolve, reject) => waiters.push({ event, resolve, reject }));
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Waits for `p` but at most `ms`: a reader that stalls then fails on the counts it reports. */
const settle = (p: Promise<unknown>, ms = 5000): Promise<unknown> => Promise.race([p, sleep(ms)]);

/** What the fake server sends in one generated stream, and what the reader must then report. */
type Line5 = { kind: 'message'; stamp: 'old' | 'future' | 'none' } | { kind: 'presence'; pad: number };
type FrameSpec = { kind: 'events'; lines: Line5[]; lengthBytes: 0 | 2 | 8; fragments: number } | { kind: 'ping'; payload: Uint8Array };

const lineArb: fc.Arbitrary<Line5> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('message' as const), stamp: fc.constantFrom('old' as const, 'future' as const, 'none' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('presence' as const), pad: fc.oneof(fc.constant(0), fc.integer({ min: 100, max: 300 }), fc.constant(70_000)) }) },
);
const frameArb: fc.Arbitrary<FrameSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('events' as const), lines: fc.array(lineArb, { minLength: 1, maxLength: 12 }), lengthBytes: fc.constantFrom(0 as const, 2 as const, 8 as const), fragments: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ping' as const), payload: fc.uint8Array({ maxLength: 125 }) }) },
);

/** Builds the ZenLive byte stream for `frames` and counts what the reader should see. */
function zenliveStream(frames: FrameSpec[], seqFrom: number, seqTo: number): { bytes: Buffer; messages: number; unstamped: number; windowed: number; old: number; future: number; pings: Buffer[] } {
  const now = Date.now();
  const parts: Buffer[] = [serverFrame(1, Buffer.from('{"v":1,"type":"joined","room":"bench","count":1}'))];
  const want = { messages: 0, unstamped: 0, windowed: 0, old: 0, future: 0, pings: [] as Buffer[] };
  let seq = 0;
  for (const f of frames) {
    if (f.kind === 'ping') {
      parts.push(serverFrame(9, Buffer.from(f.payload)));
      want.pings.push(Buffer.from(f.payload));
      continue;
    }
    const text = f.lines
      .map((l) => {
        if (l.kind === 'presence') return JSON.stringify({ v: 1, type: 'presence', room: 'bench', count: 3, pad: 'x'.repeat(l.pad) });
        want.messages++;
        let content = 'hello there';
        if (l.stamp === 'none') want.unstamped++;
        else {
          const s = seq++;
          content = `${s} ${l.stamp === 'old' ? now - 20_000 : now + 60_000}.25`;
          if (s >= seqFrom && s <= seqTo) {
            want.windowed++;
            if (l.stamp === 'old') want.old++;
            else want.future++;
          }
        }
        return JSON.stringify({ v: 1, type: 'message', id: `m${want.messages}`, room: 'bench', user: { id: 'u', name: 'U' }, content, ts: now });
      })
      .join('\n');
    const payload = Buffer.from(text);
    // a message cut into fragments: TEXT without FIN, then CONTINUATION frames
    const cuts = Array.from({ length: f.fragments }, (_, i) => Math.floor((payload.length * i) / f.fragments));
    cuts.forEach((from, i) => {
      const to = i + 1 < cuts.length ? (cuts[i + 1] as number) : payload.length;
      parts.push(serverFrame(i === 0 ? 1 : 0, payload.subarray(from, to), { fin: i + 1 === cuts.length, lengthBytes: f.lengthBytes }));
    });
  }
  return { bytes: Buffer.concat(parts), ...want };
}

/** Writes `bytes` in pieces cut at `cuts` (fractions of the length), a few ms apart. */
async function writeSplit(client: FakeClient, bytes: Buffer, cuts: number[]): Promise<void> {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((x, y) => x - y);
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p <= from) continue;
    client.socket.write(bytes.subarray(from, p));
    from = p;
    await sleep(2);
  }
}

describe('native chat reader', () => {
  it('counts every ZenLive message and its latency, whatever the frame sizes, fragments and read splits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 12 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), fc.nat(6), fc.nat(30), async (frames, cuts, seqFrom, span) => {
        const seqTo = seqFrom + span;
        const stream = zenliveStream(frames, seqFrom, seqTo);
        let accepted: (c: FakeClient) => void = () => undefined;
        const got = new Promise<FakeClient>((resolve) => (accepted = resolve));
        const server = await startFakeServer((c) => accepted(c));
        const reader = runReader(['--port', String(server.port), '--protocol', 'zenlive', '--clients', '1', '--seq-from', String(seqFrom), '--seq-to', String(seqTo)]);
        try {
          const client = await got;
          expect(client.requestLine).toBe('GET /ws/chat?room=bench HTTP/1.1');
          await writeSplit(client, stream.bytes, cuts);
          // a pong per ping, same payload, masked; then our close is echoed
          await settle(client.framesReceived(stream.pings.length));
          client.socket.write(serverFrame(8, Buffer.from([0x03, 0xe8])));
          await settle(client.framesReceived(stream.pings.length + 1));
          const result = await (async () => {
            await reader.next('ready');
            reader.child.stdin.end();
            return reader.next('result');
          })();
          expect(client.frames.map((f) => f.masked)).toEqual(client.frames.map(() => true));
          expect(client.frames.slice(0, -1).map((f) => [f.opcode, f.payload.toString('hex')])).toEqual(stream.pings.map((p) => [0xa, p.toString('hex')]));
          expect(client.frames.at(-1)).toMatchObject({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) });
          expect(result).toMatchObject({
            connected: 1,
            failed: 0,
            closed: 1,
            messages: stream.messages,
            unstamped: stream.unstamped,
            out_of_order: 0,
            latency_samples: stream.windowed,
            latency_over_10s: stream.old,
            latency_negative: stream.future,
            bytes: UPGRADE_RESPONSE.length + stream.bytes.length + 4, // + the close frame
          });
        } finally {
          reader.child.kill();
          await server.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('speaks engine.io to Socket.IO: namespace connect, pong for every ping, counts message events only', async () => {
    const pings = 3;
    const clients: FakeClient[] = [];
    const server = await startFakeServer((c) => clients.push(c));
    const reader = runReader(['--port', String(server.port), '--protocol', 'socketio', '--clients', '2']);
    try {
      while (clients.length < 2) await sleep(1);
      for (const c of clients) {
        expect(c.requestLine).toBe('GET /socket.io/?EIO=4&transport=websocket&room=bench HTTP/1.1');
        c.socket.write(serverFrame(1, Buffer.from('0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}')));
        await c.framesReceived(1);
        expect(c.frames[0]).toMatchObject({ opcode: 1, masked: true, payload: Buffer.from('40') });
        c.socket.write(serverFrame(1, Buffer.from('40{"sid":"x"}')));
      }
      expect(await reader.next('ready')).toMatchObject({ connected: 2, failed: 0 });
      const now = Date.now();
      const frames: Buffer[] = [];
      for (let i = 0; i < 5; i++) frames.push(serverFrame(1, Buffer.from(`42["message",{"id":${i},"room":"bench","user":{"id":"poster","name":"Poster"},"content":"${i} ${now - 20_000}","ts":${now}}]`)));
      frames.splice(2, 0, serverFrame(1, Buffer.from('42["presence",{"count":2}]')));
      for (let i = 0; i < pings; i++) frames.push(serverFrame(1, Buffer.from('2')));
      for (const c of clients) c.socket.write(Buffer.concat(frames));
      for (const c of clients) {
        await c.framesReceived(1 + pings);
        expect(c.frames.slice(1).map((f) => f.payload.toString())).toEqual(['3', '3', '3']);
      }
      reader.child.stdin.write('snapshot mid\n');
      expect(await reader.next('snapshot')).toMatchObject({ tag: 'mid', messages: 10 });
      reader.child.kill('SIGTERM');
      expect(await reader.next('result')).toMatchObject({ protocol: 'socketio', connected: 2, messages: 10, latency_samples: 10, latency_over_10s: 10, out_of_order: 0, min_client_messages: 5, max_client_messages: 5 });
    } finally {
      reader.child.kill();
      await server.close();
    }
  });

  it('any bytes after the upgrade either parse or close that client; the reader never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }), async (garbage, cuts) => {
        let accepted: (c: FakeClient) => void = () => undefined;
        const got = new Promise<FakeClient>((resolve) => (accepted = resolve));
        const server = await startFakeServer((c) => accepted(c));
        const reader = runReader(['--port', String(server.port), '--protocol', 'zenlive', '--clients', '1']);
        try {
          const client = await got;
          await writeSplit(client, Buffer.concat([serverFrame(1, Buffer.from('{"type":"joined"}')), Buffer.from(garbage)]), cuts);
          await reader.next('ready');
          reader.child.stdin.end();
          const result = await reader.next('result');
          const code = await new Promise((resolve) => (reader.child.exitCode !== null ? resolve(reader.child.exitCode) : reader.child.once('exit', resolve)));
          expect(code).toBe(0);
          expect(result).toMatchObject({ connected: 1, failed: 0 });
        } finally {
          reader.child.kill();
          await server.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('counts a refused upgrade as a failed client and still reports ready', async () => {
    const server = await startFakeServer(() => undefined, 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    const reader = runReader(['--port', String(server.port), '--protocol', 'zenlive', '--clients', '3']);
    try {
      expect(await reader.next('ready')).toMatchObject({ connected: 0, failed: 3 });
    } finally {
      reader.child.kill();
      await server.close();
    }
  });
});
