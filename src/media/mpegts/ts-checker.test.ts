import { describe, expect, it } from 'vitest';
import { buildAudioSpecificConfig } from '../aac/index.js';
import type { MediaFrame } from '../frame.js';
import { checkTransportStream } from './ts-checker.js';
import { TS_PACKET_SIZE, TsPid } from './ts-constants.js';
import { TsMuxer } from './ts-muxer.js';

/** A sound audio-only stream: PAT, PMT, then one single-packet PES per frame on 0x101, each with a PCR. */
function soundStream(frames = 40): Buffer {
  const muxer = new TsMuxer({ audio: 'aac', audioPesSpanMs: 0 });
  const asc = buildAudioSpecificConfig({ objectType: 2, sampleRate: 48000, channels: 2 });
  const frame = (ms: number, config = false, size = 100): MediaFrame =>
    ({ kind: 'audio', codec: 'aac', dts: ms, pts: ms, keyframe: false, config, data: config ? asc : Buffer.alloc(size, 7) });
  muxer.writeFrame(frame(0, true));
  return Buffer.concat([muxer.segmentStart(), ...Array.from({ length: frames }, (_, i) => muxer.writeFrame(frame(i * 21)))]);
}

const packet = (ts: Buffer, i: number): Buffer => ts.subarray(i * TS_PACKET_SIZE, (i + 1) * TS_PACKET_SIZE);
const without = (ts: Buffer, i: number): Buffer => Buffer.concat([ts.subarray(0, i * TS_PACKET_SIZE), ts.subarray((i + 1) * TS_PACKET_SIZE)]);
const kinds = (ts: Buffer): string[] => [...new Set(checkTransportStream(ts).problems.map((p) => p.kind))];

describe('checkTransportStream', () => {
  it('finds nothing wrong in a sound stream and counts packets, PES and the PTS range', () => {
    const report = checkTransportStream(soundStream());
    expect(report.problems).toEqual([]);
    expect(report.packetsPerPid.get(TsPid.Pat)).toBe(1);
    expect(report.pesPerPid.get(TsPid.Audio)).toBe(40);
    expect(report.ptsRange.get(TsPid.Audio)).toEqual({ first: 0, last: 39 * 21 * 90, min: 0, max: 39 * 21 * 90 });
    expect(report.pcrCount).toBe(40);
  });

  it('reports a truncated packet and a lost sync byte', () => {
    const ts = soundStream();
    expect(kinds(ts.subarray(0, ts.length - 1))).toContain('alignment');
    const broken = Buffer.from(ts);
    broken[5 * TS_PACKET_SIZE] = 0x46;
    expect(kinds(broken)).toContain('sync');
  });

  it('reports a dropped packet as a continuity gap, but accepts one duplicate', () => {
    const ts = soundStream();
    expect(checkTransportStream(without(ts, 6)).problems).toContainEqual(expect.objectContaining({ kind: 'continuity', pid: TsPid.Audio }));
    const duplicated = Buffer.concat([ts.subarray(0, 7 * TS_PACKET_SIZE), packet(ts, 6), ts.subarray(7 * TS_PACKET_SIZE)]);
    expect(checkTransportStream(duplicated).problems).toEqual([]);
  });

  it('reports a counter that moves on a packet without payload', () => {
    const ts = soundStream();
    const extra = Buffer.from(packet(ts, 2));
    extra[3] = 0x20 | ((extra.readUInt8(3) + 1) & 0x0f); // adaptation only, counter advanced
    extra[4] = 183;
    extra.fill(0xff, 6);
    extra[5] = 0;
    expect(kinds(Buffer.concat([ts.subarray(0, 3 * TS_PACKET_SIZE), extra, ts.subarray(3 * TS_PACKET_SIZE)]))).toContain('continuity');
  });

  it('reports PCRs going back or jumping over 100 ms, unless a discontinuity is flagged', () => {
    const ts = soundStream();
    const at = 10;
    expect(packet(ts, at)[5]! & 0x10).toBe(0x10); // PCR_flag
    /** Moves the PCR base of every packet from `at` on by `ticks` (90 kHz), as a timeline step would. */
    const shifted = (ticks: number): Buffer => {
      const out = Buffer.from(ts);
      for (let i = at; i < out.length / TS_PACKET_SIZE; i++) {
        const pos = i * TS_PACKET_SIZE + 6; // PCR base bits 32..1
        out.writeUInt32BE(out.readUInt32BE(pos) + ticks / 2, pos);
      }
      return out;
    };
    expect(kinds(shifted(9000))).toEqual(['pcr']); // 21 ms + 100 ms
    expect(kinds(shifted(-9000))).toEqual(['pcr']);
    const flagged = shifted(9000);
    flagged.writeUInt8(flagged.readUInt8(at * TS_PACKET_SIZE + 5) | 0x80, at * TS_PACKET_SIZE + 5); // discontinuity_indicator
    expect(kinds(flagged)).toEqual([]);
  });

  it('reports PES before the tables, a bad CRC, a PID the PMT does not list, DTS going back', () => {
    const ts = soundStream();
    expect(kinds(Buffer.concat([packet(ts, 2), ts]))).toContain('order');
    const crc = Buffer.from(ts);
    crc.writeUInt8(crc.readUInt8(TS_PACKET_SIZE + 10) ^ 1, TS_PACKET_SIZE + 10);
    expect(kinds(crc)).toContain('psi');
    const moved = Buffer.from(ts);
    moved[2 * TS_PACKET_SIZE + 2] = 0x02; // PID 0x102
    expect(kinds(moved)).toContain('psi');
    const swapped = Buffer.concat([ts.subarray(0, 2 * TS_PACKET_SIZE), packet(ts, 4), packet(ts, 3), packet(ts, 2), ts.subarray(5 * TS_PACKET_SIZE)]);
    expect(kinds(swapped)).toContain('timestamp');
  });
});
