import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sequenceDelta } from '../../../media/index.js';
import { RtpRewriter, timestampDelta } from './rtp-rewriter.js';

const A = 0;
const B = 1;

/** Rewrites and returns [seq, timestamp], or undefined when dropped. */
const out = (rw: RtpRewriter, source: number, seq: number, ts: number, now: number): [number, number] | undefined =>
  rw.rewrite(source, seq, ts, now) ? [rw.seq, rw.timestamp] : undefined;

describe('RTP rewriting within one source', () => {
  it('follows the first source without a switch and starts at the initial values', () => {
    const rw = new RtpRewriter(90000, { initialSequence: 1000, initialTimestamp: 50 });
    expect(rw.lastSequence).toBeUndefined();
    expect(out(rw, A, 40000, 900000, 0)).toEqual([1000, 50]);
    expect(rw.switched).toBe(true);
    expect(out(rw, A, 40001, 903000, 33)).toEqual([1001, 3050]);
    expect(rw.switched).toBe(false);
    expect(rw.lastSequence).toBe(1001);
    expect(out(rw, B, 7, 7, 40)).toBeUndefined();
  });

  it('keeps gaps as gaps, and maps late and duplicate packets to the same numbers', () => {
    const rw = new RtpRewriter(90000, { initialSequence: 10 });
    out(rw, A, 100, 0, 0);
    expect(out(rw, A, 101, 0, 1)?.[0]).toBe(11);
    expect(out(rw, A, 104, 3000, 2)?.[0]).toBe(14);
    expect(out(rw, A, 102, 0, 3)?.[0]).toBe(12);
    expect(out(rw, A, 101, 0, 4)?.[0]).toBe(11);
    expect(out(rw, A, 104, 3000, 5)?.[0]).toBe(14);
    expect(rw.lastSequence).toBe(14);
  });

  it('wraps the output sequence at 65535 and the timestamp at 2^32', () => {
    const rw = new RtpRewriter(90000, { initialSequence: 65534, initialTimestamp: 0xffffffff - 2999 });
    const got = [0, 1, 2, 3].map((i) => out(rw, A, 500 + i, 1000 + i * 3000, i * 33));
    expect(got).toEqual([
      [65534, 0xffffffff - 2999],
      [65535, 0],
      [0, 3000],
      [1, 6000],
    ]);
  });

  it('follows the input sequence across its own wrap', () => {
    const rw = new RtpRewriter(48000, { initialSequence: 7 });
    const seqs = [65533, 65534, 65535, 0, 1].map((s) => out(rw, A, s, 0, 0)?.[0]);
    expect(seqs).toEqual([7, 8, 9, 10, 11]);
  });

  it('re-bases a source that restarted its sequence once two consecutive packets confirm it', () => {
    const rw = new RtpRewriter(90000, { initialSequence: 0 });
    out(rw, A, 100, 0, 0);
    out(rw, A, 101, 0, 0);
    expect(out(rw, A, 30000, 5000, 40)).toBeUndefined();
    // one wall-clock interval (40 ms at 90 kHz) after the last output timestamp, 0
    expect(out(rw, A, 30001, 5000, 40)).toEqual([2, 3600]);
    expect(rw.switched).toBe(true);
    expect(out(rw, A, 30002, 5000, 41)?.[0]).toBe(3);
  });
});

describe('RTP rewriting across a switch', () => {
  it('continues the sequence +1 and lands the timestamp one wall-clock interval later', () => {
    const rw = new RtpRewriter(90000, { initialSequence: 200, initialTimestamp: 1000 });
    for (let i = 0; i < 5; i++) out(rw, A, 10 + i, 9000 + Math.floor(i / 2) * 3000, i * 10);
    // last output: seq 204, timestamp 1000 + 6000 at 40 ms
    rw.switchSource(B);
    expect(out(rw, A, 15, 15000, 50)?.[0]).toBe(205);
    expect(out(rw, B, 60000, 123456789, 83)).toEqual([206, 7000 + 33 * 90]);
    expect(rw.switched).toBe(true);
    expect(rw.currentSource).toBe(B);
    expect(out(rw, B, 60001, 123456789, 84)).toEqual([207, 7000 + 33 * 90]);
    expect(out(rw, B, 60002, 123456789 + 3000, 110)).toEqual([208, 7000 + 33 * 90 + 3000]);
  });

  it('moves the timestamp at least one tick when the switch comes in the same millisecond', () => {
    const rw = new RtpRewriter(90000, { initialSequence: 0, initialTimestamp: 500 });
    out(rw, A, 1, 42, 100);
    rw.switchSource(B);
    expect(out(rw, B, 9, 7, 100)).toEqual([1, 501]);
  });

  it('drops late packets of the previous source and of the new source from before the switch point', () => {
    const rw = new RtpRewriter(90000, { initialSequence: 0 });
    out(rw, A, 10, 0, 0);
    out(rw, A, 11, 0, 1);
    rw.switchSource(B);
    out(rw, B, 500, 0, 2);
    expect(out(rw, A, 12, 0, 3)).toBeUndefined();
    expect(out(rw, A, 11, 0, 3)).toBeUndefined();
    expect(out(rw, B, 499, 0, 4)).toBeUndefined();
    expect(out(rw, B, 498, 0, 4)).toBeUndefined();
    expect(out(rw, B, 501, 0, 5)?.[0]).toBe(3);
    expect(out(rw, B, 500, 0, 6)?.[0]).toBe(2);
  });

  it('switches across the output sequence wrap and the timestamp wrap', () => {
    const rw = new RtpRewriter(90000, { initialSequence: 65535, initialTimestamp: 0xffffffff - 10 });
    out(rw, A, 1, 1, 0);
    rw.switchSource(B);
    expect(out(rw, B, 77, 5, 1)).toEqual([0, 79]);
  });

  it('naming the current source again re-bases it at its next packet (resume after a pause)', () => {
    const rw = new RtpRewriter(90000, { initialSequence: 0, initialTimestamp: 0 });
    out(rw, A, 10, 0, 0);
    rw.switchSource(A);
    expect(out(rw, A, 300, 90000, 1000)).toEqual([1, 90000]);
    expect(rw.switched).toBe(true);
  });
});

type Command = { kind: 'packet'; source: number; dtMs: number; dts: number } | { kind: 'switch'; source: number };

const command = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('packet' as const), source: fc.integer({ min: 0, max: 2 }), dtMs: fc.integer({ min: 0, max: 50 }), dts: fc.integer({ min: 0, max: 6000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('switch' as const), source: fc.integer({ min: 0, max: 2 }) }) },
);

/** Runs commands against three gap-free sources with random start values; returns the outputs. */
function run(starts: { seq: number; ts: number }[], commands: Command[]): { seq: number; ts: number }[] {
  const rw = new RtpRewriter(90000);
  const state = starts.map((s) => ({ seq: s.seq, ts: s.ts }));
  const outputs: { seq: number; ts: number }[] = [];
  let now = 0;
  for (const c of commands) {
    if (c.kind === 'switch') {
      rw.switchSource(c.source);
      continue;
    }
    const s = state[c.source]!;
    now += c.dtMs;
    s.seq = (s.seq + 1) & 0xffff;
    s.ts = (s.ts + c.dts) >>> 0;
    if (rw.rewrite(c.source, s.seq, s.ts, now)) outputs.push({ seq: rw.seq, ts: rw.timestamp });
  }
  return outputs;
}

const starts = fc.array(fc.record({ seq: fc.integer({ min: 0, max: 0xffff }), ts: fc.integer({ min: 0, max: 0xffffffff }) }), { minLength: 3, maxLength: 3 });

describe('RTP rewriting properties', () => {
  it('output sequence numbers are strictly continuous over any interleaving of sources and switches', () => {
    fc.assert(
      fc.property(starts, fc.array(command, { maxLength: 300 }), (s, commands) => {
        const outputs = run(s, commands);
        for (let i = 1; i < outputs.length; i++) expect(outputs[i]!.seq).toBe((outputs[i - 1]!.seq + 1) & 0xffff);
      }),
      { numRuns: 300 },
    );
  });

  it('output timestamps never go backwards across switches', () => {
    fc.assert(
      fc.property(starts, fc.array(command, { maxLength: 300 }), (s, commands) => {
        const outputs = run(s, commands);
        for (let i = 1; i < outputs.length; i++) expect(timestampDelta(outputs[i - 1]!.ts, outputs[i]!.ts)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('reordered and duplicated packets of one source keep one mapping; only those from before the first are dropped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 200 }),
        (first, offsets) => {
          const rw = new RtpRewriter(90000, { initialSequence: 0 });
          const firstOffset = offsets[0]!;
          for (const o of offsets) {
            const ok = rw.rewrite(A, (first + o) & 0xffff, o * 100, 0);
            expect(ok).toBe(o >= firstOffset);
            if (ok) expect(sequenceDelta(0, rw.seq)).toBe(o - firstOffset);
          }
        },
      ),
    );
  });
});
