import { describe, expect, it } from 'vitest';
import { StreamRegistry } from '../../hub/index.js';
import { buildAvcDecoderConfig, H264Depacketizer, joinNalUnits, type H264AccessUnit, type MediaFrame } from '../../media/index.js';
import { H264Ingest } from './h264-ingest.js';
import { readRecords, RtpFrameFormat } from './rtp-frame-format.js';
import { RtpTrackClock } from './rtp-clock.js';

const SPS = Buffer.from('6764001facd9405005bb0110000003001000000303c0f1831960', 'hex');
const PPS = Buffer.from('68ebe3cb22c0', 'hex');
const IDR = Buffer.concat([Buffer.from([0x65]), Buffer.alloc(4000, 0x11)]);
const P_SLICE = Buffer.concat([Buffer.from([0x41]), Buffer.alloc(700, 0x22)]);

function unit(nalUnits: Buffer[], complete = true, timestamp = 0): H264AccessUnit {
  return { timestamp, nalUnits, complete, keyframe: nalUnits.some((n) => ((n[0] as number) & 0x1f) === 5) };
}

describe('H.264 from WHIP into the hub', () => {
  it('waits for a keyframe with SPS/PPS, then sends the avcC before it; a lost unit waits for the next keyframe', () => {
    let keyframeRequests = 0;
    const ingest = new H264Ingest({ needKeyframe: () => keyframeRequests++ });
    expect(ingest.frames(unit([P_SLICE]), 0)).toEqual([]);
    expect(keyframeRequests).toBe(1);
    const [config, key] = ingest.frames(unit([SPS, PPS, IDR]), 33);
    expect(config?.config).toBe(true);
    expect(config?.data.equals(buildAvcDecoderConfig({ sps: [SPS], pps: [PPS] }))).toBe(true);
    expect(key?.keyframe).toBe(true);
    expect(key?.data.equals(joinNalUnits([SPS, PPS, IDR]))).toBe(true);
    expect(ingest.frames(unit([P_SLICE]), 66)).toHaveLength(1);
    expect(ingest.frames(unit([P_SLICE], false), 99)).toEqual([]);
    expect(ingest.frames(unit([P_SLICE]), 133)).toEqual([]);
    // same parameter sets: no second config frame
    expect(ingest.frames(unit([SPS, PPS, IDR]), 166).map((f) => f.config)).toEqual([false]);
  });

  it('RTP timestamps map to milliseconds across the 32-bit wrap', () => {
    const clock = new RtpTrackClock(90_000, 1000);
    expect(clock.toMs(0xffffffff - 8999, 1500)).toBe(500);
    expect(clock.toMs(0xffffffff - 8999 + 90_000 - 0x100000000, 2500)).toBe(1500);
  });
});

describe('hub frames out to WHEP viewers', () => {
  function liveStream() {
    const registry = new StreamRegistry({ gopCache: { maxFrames: 100, maxBytes: 1e7 }, backpressure: { softLimitBytes: 1e6, hardLimitBytes: 1e7, maxSkipMs: 1000 } });
    const stream = registry.claim('s', { protocol: 'rtmp' });
    const config: MediaFrame = { kind: 'video', codec: 'h264', dts: 0, pts: 0, keyframe: true, config: true, data: buildAvcDecoderConfig({ sps: [SPS], pps: [PPS] }) };
    stream.push(config);
    return stream;
  }

  it('a keyframe without in-band SPS/PPS gets them in front; payloads depacketize back to the same NAL units', () => {
    const stream = liveStream();
    const format = new RtpFrameFormat(stream, 1000);
    const frame: MediaFrame = { kind: 'video', codec: 'h264', dts: 40, pts: 40, keyframe: true, config: false, data: joinNalUnits([IDR]) };
    const bytes = format.encode(frame) as Buffer;
    expect(format.encode(frame)).toBe(bytes);
    const records = readRecords(bytes);
    expect(records.every((r) => !r.audio && r.timestamp === 40 * 90)).toBe(true);
    expect(records.map((r) => r.marker)).toEqual(records.map((_, i) => i === records.length - 1));
    const d = new H264Depacketizer();
    const units = records.flatMap((r, i) => d.push({ sequenceNumber: i, timestamp: r.timestamp, marker: r.marker, payload: r.payload }));
    expect(units[0]?.nalUnits.map((n) => n.toString('hex'))).toEqual([SPS, PPS, IDR].map((n) => n.toString('hex')));
    format.close();
  });

  it('Opus passes through as one audio record at 48 kHz; AAC and metadata are not carried', () => {
    const stream = liveStream();
    const format = new RtpFrameFormat(stream, 1000);
    const opus = readRecords(format.encode({ kind: 'audio', codec: 'opus', dts: 20, pts: 20, keyframe: false, config: false, data: Buffer.from([0xfc, 1, 2]) }) as Buffer);
    expect(opus).toEqual([{ audio: true, marker: false, timestamp: 960, payload: Buffer.from([0xfc, 1, 2]) }]);
    expect(format.encode({ kind: 'audio', codec: 'aac', dts: 20, pts: 20, keyframe: false, config: false, data: Buffer.from([1]) })).toBeUndefined();
    expect(format.encode({ kind: 'metadata', dts: 0, amf0: Buffer.alloc(0) })).toBeUndefined();
    format.close();
  });
});
