import { describe, expect, it } from 'vitest';
import { ReceiveStats } from './receive-stats.js';
import { SendStats } from './send-stats.js';

describe('receive statistics (RFC 3550)', () => {
  it('extends the highest sequence number across the 16-bit wrap', () => {
    const s = new ReceiveStats(90000);
    for (let i = 0; i < 12; i++) s.onPacket((65530 + i) & 0xffff, i * 3000, 100, i * 33);
    const snap = s.snapshot(400);
    expect(snap.extendedHighestSequence).toBe(0x10000 + 5);
    expect(snap.expected).toBe(12);
    expect(snap.lost).toBe(0);
    expect(snap.packets).toBe(12);
    expect(snap.bytes).toBe(1200);
  });

  it('counts loss cumulatively and per interval', () => {
    const s = new ReceiveStats(90000);
    for (let seq = 0; seq < 20; seq++) if (seq !== 4 && seq !== 9 && seq !== 10) s.onPacket(seq, 0, 100, seq);
    let snap = s.snapshot(20);
    expect(snap.lost).toBe(3);
    expect(snap.intervalExpected).toBe(20);
    expect(snap.intervalLost).toBe(3);
    expect(snap.fractionLost).toBeCloseTo(3 / 20, 10);
    for (let seq = 20; seq < 30; seq++) s.onPacket(seq, 0, 100, seq);
    snap = s.snapshot(30);
    expect(snap.lost).toBe(3);
    expect(snap.intervalExpected).toBe(10);
    expect(snap.fractionLost).toBe(0);
  });

  it('late packets fill their gap; duplicates make the cumulative loss negative', () => {
    const s = new ReceiveStats(90000);
    for (const seq of [1, 2, 4, 3, 5, 5, 5]) s.onPacket(seq, 0, 10, 0);
    const snap = s.snapshot(0);
    expect(snap.expected).toBe(5);
    expect(snap.lost).toBe(-2);
    expect(snap.fractionLost).toBe(0);
  });

  it('restarts the sequence base after two consecutive packets far away', () => {
    const s = new ReceiveStats(90000);
    for (let seq = 100; seq < 110; seq++) s.onPacket(seq, 0, 10, 0);
    s.onPacket(40000, 0, 10, 0);
    s.onPacket(40001, 0, 10, 0);
    s.onPacket(40002, 0, 10, 0);
    const snap = s.snapshot(0);
    expect(snap.extendedHighestSequence).toBe(40002);
    // RFC 3550 A.1: the confirming packet counts as the first of the restarted source
    expect(snap.expected).toBe(2);
    expect(snap.lost).toBe(0);
  });

  it('jitter is zero for perfectly paced packets, also across the timestamp wrap', () => {
    const s = new ReceiveStats(8000);
    for (let i = 0; i < 50; i++) s.onPacket(i, (0xffffffff - 1000 + i * 160) >>> 0, 160, i * 20);
    expect(s.snapshot(1000).jitter).toBeCloseTo(0, 9);
  });

  it('jitter follows A.8 on a known input: arrivals alternately 5 ms late', () => {
    const s = new ReceiveStats(8000);
    const n = 11;
    for (let i = 0; i < n; i++) s.onPacket(i, i * 160, 160, i * 20 + (i % 2 === 1 ? 5 : 0));
    // every transit difference is ±5 ms = 40 ticks at 8 kHz; J_k = 40 (1 - (15/16)^k)
    const expected = 40 * (1 - Math.pow(15 / 16, n - 1));
    const snap = s.snapshot(300);
    expect(snap.jitter).toBeCloseTo(expected, 9);
    expect(snap.jitterMs).toBeCloseTo(expected / 8, 9);
  });

  it('measures the bitrate over the last second and falls to zero when packets stop', () => {
    const s = new ReceiveStats(90000);
    for (let t = 0; t < 3000; t += 10) s.onPacket(t / 10, 0, 1000, t);
    expect(s.bitrateBps(3000)).toBeGreaterThan(760_000);
    expect(s.bitrateBps(3000)).toBeLessThan(840_000);
    expect(s.snapshot(6000).bitrateBps).toBe(0);
  });

  it('reads a plausible rate during the first second', () => {
    const s = new ReceiveStats(90000);
    for (let t = 0; t < 500; t += 10) s.onPacket(t / 10, 0, 1000, t);
    expect(s.bitrateBps(500)).toBeGreaterThan(700_000);
    expect(s.bitrateBps(500)).toBeLessThan(900_000);
  });
});

describe('send statistics', () => {
  it('counts packets, bytes and retransmissions', () => {
    const s = new SendStats();
    for (let t = 0; t < 1000; t += 10) s.onSent(500, t);
    s.onSent(500, 1000, true);
    const snap = s.snapshot(1000);
    expect(snap.packets).toBe(101);
    expect(snap.bytes).toBe(50_500);
    expect(snap.retransmittedPackets).toBe(1);
    expect(snap.retransmittedBytes).toBe(500);
    expect(snap.bitrateBps).toBeGreaterThan(380_000);
    expect(snap.bitrateBps).toBeLessThan(420_000);
  });
});
