import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packetizeH264 } from '../../src/media/index.js';
import { FrameLog } from './frame-log.js';
import { TICKS_PER_FRAME } from './h264-clip.js';
import { startsKeyframe, SubscriberStats, type PacketInfo } from './subscriber-stats.js';

const nal = (type: number, size: number): Buffer => {
  const b = Buffer.alloc(size, 0xab);
  b[0] = 0x60 | type;
  return b;
};

/** A publisher that sent `frames` frames of 3 packets each, 10 ms apart, with a keyframe every `gop`. */
function publisherLog(frames: number, gop: number): FrameLog {
  const log = new FrameLog();
  for (let n = 0; n < frames; n++) log.sent(n, n % gop === 0, 3, n * 10);
  return log;
}

/** What the server sends a viewer for publisher frame n: its own sequence and timestamp offsets, the same deltas. */
function serverPackets(n: number, tsOffset: number, seqStart: number, gop: number): PacketInfo[] {
  return [0, 1, 2].map((i) => ({
    sequenceNumber: (seqStart + i) & 0xffff,
    timestamp: (tsOffset + n * TICKS_PER_FRAME) >>> 0,
    marker: i === 2,
    keyframeStart: i === 0 && n % gop === 0,
  }));
}

describe('SubscriberStats', () => {
  it('matches frames across the server rewriting timestamps and sequence numbers, through both wraps', () => {
    const log = publisherLog(400, 60);
    const latencies: number[] = [];
    const stats = new SubscriberStats(log, (ms) => latencies.push(ms));
    const tsOffset = 0xffffffff - 100 * TICKS_PER_FRAME;
    let seq = 0xfff0;
    // the viewer joins live at frame 120 (a keyframe), 5 ms after the publisher sent each frame
    stats.openWindow(180, 300);
    for (let n = 120; n < 400; n++) {
      for (const p of serverPackets(n, tsOffset, seq, 60)) stats.onPacket(p, n * 10 + 5);
      seq += 3;
    }
    stats.closeWindow(299);
    expect(stats.frameOf((tsOffset + 250 * TICKS_PER_FRAME) >>> 0)).toBe(250);
    expect(stats.windowPackets).toBe(log.packetsBetween(180, 299));
    expect(latencies).toHaveLength(400 - 180);
    expect(new Set(latencies)).toEqual(new Set([5]));
    expect(stats.sequenceLoss).toEqual({ expected: 280 * 3, lost: 0 });
  });

  it('moves its anchor back one GOP when the first keyframe came from the server cache', () => {
    const log = publisherLog(200, 60);
    const latencies: number[] = [];
    const stats = new SubscriberStats(log, (ms) => latencies.push(ms));
    stats.openWindow(130, 100);
    // joins at 1300 ms (publisher at frame 130): the cache replays from keyframe 120 at once, then live
    let seq = 1;
    for (let n = 120; n < 200; n++) {
      const at = Math.max(1300, n * 10 + 2);
      for (const p of serverPackets(n, 12345, seq, 60)) stats.onPacket(p, at);
      seq += 3;
    }
    expect(stats.frameOf((12345 + 150 * TICKS_PER_FRAME) >>> 0)).toBe(150);
    stats.closeWindow(199);
    expect(stats.windowPackets).toBe(log.packetsBetween(130, 199));
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(0);
  });

  it('counts lost packets against the window and by sequence number', () => {
    const log = publisherLog(100, 30);
    const stats = new SubscriberStats(log, () => undefined);
    stats.openWindow(30, 100);
    let seq = 500;
    for (let n = 30; n < 90; n++) {
      for (const p of serverPackets(n, 7, seq, 30)) if (!(n === 50 && p.sequenceNumber === ((seq + 1) & 0xffff))) stats.onPacket(p, n * 10 + 1);
      seq += 3;
    }
    stats.closeWindow(89);
    expect(log.packetsBetween(30, 89) - stats.windowPackets).toBe(1);
    expect(stats.sequenceLoss.lost).toBe(1);
  });

  it('ignores everything before the first keyframe', () => {
    const log = publisherLog(100, 30);
    const stats = new SubscriberStats(log, () => undefined);
    stats.openWindow(0, 100);
    for (const p of serverPackets(35, 0, 0, 30)) stats.onPacket(p, 355);
    expect(stats.windowPackets).toBe(0);
    expect(stats.frameOf(35 * TICKS_PER_FRAME)).toBeUndefined();
  });
});

describe('startsKeyframe', () => {
  it('is true exactly for the first payload of an access unit that starts with an SPS or IDR slice, at any payload size', () => {
    const sizes = fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(fc.boolean(), sizes, fc.integer({ min: 3, max: 1400 }), (key, rest, max) => {
        const nals = key ? [nal(7, 20), nal(8, 5), nal(5, rest[0] as number)] : rest.map((s) => nal(1, s));
        const payloads = packetizeH264(nals, max);
        expect(startsKeyframe(payloads[0] as Buffer)).toBe(key);
        for (const p of payloads.slice(1)) if (!key) expect(startsKeyframe(p)).toBe(false);
      }),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => typeof startsKeyframe(Buffer.from(b)) === 'boolean'));
  });
});
