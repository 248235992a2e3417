import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientHandshake, HandshakeError, ServerHandshake } from './index.js';
import type { HandshakeStep, RandomSource } from './index.js';

const C0C1 = 1537;
const S0S1S2 = 3073;

// SHA-256 in counter mode, so a failing fast-check run replays the same handshake bytes.
function seededRandom(seed: number): RandomSource {
  let counter = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let at = 0; at < n; at += 32) createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, at);
    return out;
  };
}

function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const to of points) {
    pieces.push(bytes.subarray(from, to));
    from = to;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

// Pushes the pieces in order and gathers what came back, noting which push first had bytes to send.
function deliver(push: (b: Buffer) => HandshakeStep, pieces: Buffer[]) {
  const sent: Buffer[] = [];
  const rest: Buffer[] = [];
  let done = false;
  let firstSendAt = -1;
  pieces.forEach((piece, i) => {
    const step = push(piece);
    if (step.send.length > 0 && firstSendAt < 0) firstSendAt = i;
    sent.push(...step.send);
    rest.push(step.rest);
    done = step.done;
  });
  return { sent: Buffer.concat(sent), rest: Buffer.concat(rest), done, firstSendAt };
}

// The push that completes C1 (or S1) is the one holding its last byte, i.e. the first non-empty piece reaching it.
function pieceHolding(pieces: Buffer[], byteIndex: number): number {
  let end = 0;
  for (let i = 0; i < pieces.length; i++) {
    end += pieces[i]?.length ?? 0;
    if (end > byteIndex) return i;
  }
  return -1;
}

function captureError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const cuts = fc.array(fc.nat({ max: 5000 }), { maxLength: 12 });
const trailer = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));

describe('ClientHandshake with ServerHandshake', () => {
  for (const digest of [true, false]) {
    const mode = digest ? 'digest' : 'simple';
    it(`completes in ${mode} form with bytes split anywhere and keeps the bytes after C2 and S2 exactly`, () => {
      fc.assert(
        fc.property(fc.integer(), fc.constantFrom(0 as const, 1 as const), cuts, cuts, cuts, trailer, trailer, (seed, scheme, cut1, cut2, cut3, afterS2, afterC2) => {
          const client = new ClientHandshake({ digest, scheme, random: seededRandom(seed) });
          const server = new ServerHandshake({ random: seededRandom(seed + 1) });

          const c0c1 = client.start();
          expect(c0c1.length).toBe(C0C1);
          const pieces1 = splitAt(c0c1, cut1);
          const toServer = deliver((b) => server.push(b), pieces1);
          expect(toServer.done).toBe(false);
          expect(toServer.sent.length).toBe(S0S1S2);
          expect(toServer.firstSendAt).toBe(pieceHolding(pieces1, C0C1 - 1));
          expect(server.mode).toBe(mode);

          const pieces2 = splitAt(Buffer.concat([toServer.sent, afterS2]), cut2);
          const toClient = deliver((b) => client.push(b), pieces2);
          expect(toClient.done).toBe(true);
          expect(toClient.rest).toEqual(afterS2);
          expect(toClient.sent.length).toBe(1536);
          expect(toClient.firstSendAt).toBe(pieceHolding(pieces2, 1536));
          expect(client.mode).toBe(mode);

          const final = deliver((b) => server.push(b), splitAt(Buffer.concat([toClient.sent, afterC2]), cut3));
          expect(final.done).toBe(true);
          expect(final.sent.length).toBe(0);
          expect(final.rest).toEqual(afterC2);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('answers a simple C1 with S2 echoing its time and random bytes (spec §5.2.4)', () => {
    const client = new ClientHandshake({ digest: false, random: seededRandom(1) });
    const c0c1 = client.start();
    const reply = new ServerHandshake({ random: seededRandom(2) }).push(c0c1).send[0] ?? Buffer.alloc(0);
    const s1 = reply.subarray(1, 1537);
    const s2 = reply.subarray(1537);
    expect(reply[0]).toBe(3);
    expect(s1.readUInt32BE(4)).toBe(0);
    expect(s2.subarray(0, 4)).toEqual(c0c1.subarray(1, 5));
    expect(s2.subarray(8)).toEqual(c0c1.subarray(9));
  });

  it('passes later pushes through whole once done', () => {
    const client = new ClientHandshake();
    const server = new ServerHandshake();
    const c2 = client.push(server.push(client.start()).send[0] ?? Buffer.alloc(0)).send[0] ?? Buffer.alloc(0);
    expect(server.push(c2)).toEqual({ send: [], done: true, rest: Buffer.alloc(0) });
    const chunk = Buffer.from([3, 0, 0, 0]);
    expect(server.push(chunk).rest).toBe(chunk);
  });
});

describe('ServerHandshake on hostile input', () => {
  it('refuses a C0 other than 3 with HandshakeError, naming version 3, and keeps refusing', () => {
    const server = new ServerHandshake();
    const push = () => server.push(Buffer.from([6, 1, 2, 3]));
    expect(push).toThrow(HandshakeError);
    expect(push).toThrow(/only version 3/);
    const error = captureError(() => server.push(Buffer.from([3])));
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ code: 'RTMP_HANDSHAKE', reason: 'unsupported-version' });
  });

  it('does nothing with an empty push', () => {
    const server = new ServerHandshake();
    expect(server.push(Buffer.alloc(0))).toEqual({ send: [], done: false, rest: Buffer.alloc(0) });
    expect(server.bufferedBytes).toBe(0);
  });

  it('any bytes either progress, complete or throw HandshakeError, holding at most one C1', () => {
    const stream = fc.oneof(
      fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 6 }),
      // Start with a valid C0 so most runs get past it into C1 and C2.
      fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 6 }).map((pushes) => [Uint8Array.of(3), ...pushes]),
    );
    fc.assert(
      fc.property(stream, (pushes) => {
        const server = new ServerHandshake();
        let consumed = 0;
        let returned = 0;
        for (const push of pushes) {
          let step: HandshakeStep;
          try {
            step = server.push(Buffer.from(push));
          } catch (error) {
            expect(error).toBeInstanceOf(HandshakeError);
            return;
          }
          consumed += push.length;
          returned += step.rest.length;
          expect(server.bufferedBytes).toBeLessThanOrEqual(1536);
          expect(step.send.reduce((n, b) => n + b.length, 0)).toBeLessThanOrEqual(S0S1S2);
          if (!step.done) expect(step.rest.length).toBe(0);
        }
        // Every byte is either handshake (1 + 1536 + 1536 at most) or handed back as rest.
        expect(consumed - returned).toBeLessThanOrEqual(S0S1S2);
        if (server.push(Buffer.alloc(0)).done) expect(consumed - returned).toBe(S0S1S2);
      }),
      { numRuns: 300 },
    );
  });
});

describe('ClientHandshake misuse and bad servers', () => {
  it('refuses push before start, and a second start', () => {
    const client = new ClientHandshake();
    expect(() => client.push(Buffer.from([3]))).toThrow(HandshakeError);
    client.start();
    expect(captureError(() => client.start())).toMatchObject({ code: 'RTMP_HANDSHAKE', reason: 'misuse' });
  });

  it('refuses an S0 other than 3', () => {
    const client = new ClientHandshake();
    client.start();
    expect(() => client.push(Buffer.from([8]))).toThrow(/only version 3/);
  });
});
