import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packetizeH264 } from '../../../media/index.js';
import { isKeyframeStart } from './keyframe.js';

const nal = (type: number, size: number): Buffer => {
  const b = Buffer.alloc(size, 0xab);
  b[0] = 0x60 | type;
  return b;
};

describe('H.264 keyframe starts (RFC 6184)', () => {
  it('a single IDR or SPS NAL unit packet starts a keyframe, a P slice does not', () => {
    expect(isKeyframeStart('h264', nal(5, 100))).toBe(true);
    expect(isKeyframeStart('h264', nal(7, 20))).toBe(true);
    expect(isKeyframeStart('h264', nal(1, 100))).toBe(false);
    expect(isKeyframeStart('h264', nal(8, 10))).toBe(false);
  });

  it('a STAP-A carrying SPS and PPS starts a keyframe, one with only SEI and a P slice does not', () => {
    const [stapKey] = packetizeH264([nal(7, 20), nal(8, 6), nal(5, 2000)], 1200);
    expect((stapKey as Buffer)[0]! & 0x1f).toBe(24);
    expect(isKeyframeStart('h264', stapKey as Buffer)).toBe(true);
    const [stapDelta] = packetizeH264([nal(6, 10), nal(1, 30)], 1200);
    expect((stapDelta as Buffer)[0]! & 0x1f).toBe(24);
    expect(isKeyframeStart('h264', stapDelta as Buffer)).toBe(false);
  });

  it('an IDR later in a STAP-A is found after the first NAL unit', () => {
    const [stap] = packetizeH264([nal(9, 2), nal(5, 40)], 1200);
    expect(isKeyframeStart('h264', stap as Buffer)).toBe(true);
  });

  it('only the first FU-A fragment of an IDR starts a keyframe', () => {
    const fragments = packetizeH264([nal(5, 5000)], 1200);
    expect(fragments.length).toBeGreaterThan(2);
    expect(fragments.map((f) => isKeyframeStart('h264', f))).toEqual(fragments.map((_, i) => i === 0));
    const pFragments = packetizeH264([nal(1, 5000)], 1200);
    expect(pFragments.some((f) => isKeyframeStart('h264', f))).toBe(false);
  });

  it('truncated packets are not keyframe starts', () => {
    expect(isKeyframeStart('h264', Buffer.alloc(0))).toBe(false);
    expect(isKeyframeStart('h264', Buffer.from([28]))).toBe(false);
    expect(isKeyframeStart('h264', Buffer.from([24, 0]))).toBe(false);
    expect(isKeyframeStart('h264', Buffer.from([24, 0, 0, 0x65]))).toBe(false);
  });
});

describe('VP8 keyframe starts (RFC 7741)', () => {
  it('S set, partition 0 and a payload header with P = 0 is a keyframe start', () => {
    expect(isKeyframeStart('vp8', Buffer.from([0x10, 0x00, 0x00, 0x00]))).toBe(true);
    expect(isKeyframeStart('vp8', Buffer.from([0x10, 0x01, 0x00, 0x00]))).toBe(false);
  });

  it('without S, or in a later partition, it is not', () => {
    expect(isKeyframeStart('vp8', Buffer.from([0x00, 0x00]))).toBe(false);
    expect(isKeyframeStart('vp8', Buffer.from([0x11, 0x00]))).toBe(false);
  });

  it('skips the extended descriptor: 15-bit picture ID, TL0PICIDX and TID/KEYIDX', () => {
    // X | S, then I L T K, PictureID with M (2 bytes), TL0PICIDX, TID byte, then the payload header
    const key = Buffer.from([0x90, 0xf0, 0x80 | 0x12, 0x34, 0x07, 0x40, 0x00]);
    expect(isKeyframeStart('vp8', key)).toBe(true);
    const delta = Buffer.from([0x90, 0xf0, 0x80 | 0x12, 0x34, 0x07, 0x40, 0x01]);
    expect(isKeyframeStart('vp8', delta)).toBe(false);
    // 7-bit picture ID only: the byte after it is the payload header
    expect(isKeyframeStart('vp8', Buffer.from([0x90, 0x80, 0x12, 0x00]))).toBe(true);
    expect(isKeyframeStart('vp8', Buffer.from([0x90, 0x80, 0x12, 0x01]))).toBe(false);
  });

  it('a descriptor cut before the payload header is not a keyframe start', () => {
    expect(isKeyframeStart('vp8', Buffer.from([0x90, 0xf0, 0x80]))).toBe(false);
    expect(isKeyframeStart('vp8', Buffer.from([0x10]))).toBe(false);
  });
});

describe('VP9 keyframe starts (RFC 9628)', () => {
  it('B set and P clear is a keyframe start', () => {
    expect(isKeyframeStart('vp9', Buffer.from([0x08 | 0x80, 0x12]))).toBe(true);
    expect(isKeyframeStart('vp9', Buffer.from([0x08 | 0x40, 0x12]))).toBe(false);
    expect(isKeyframeStart('vp9', Buffer.from([0x04]))).toBe(false);
    expect(isKeyframeStart('vp9', Buffer.alloc(0))).toBe(false);
  });
});

describe('keyframe detection on arbitrary bytes', () => {
  it('never throws and always answers a boolean', () => {
    fc.assert(
      fc.property(fc.constantFrom('h264' as const, 'vp8' as const, 'vp9' as const), fc.uint8Array({ maxLength: 64 }), (codec, bytes) => {
        expect(typeof isKeyframeStart(codec, Buffer.from(bytes))).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('STAP-A size fields pointing past the end are survived', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 8 }), fc.uint8Array({ maxLength: 16 }), (sizes, tail) => {
        const parts = [Buffer.from([24])];
        for (const s of sizes) parts.push(Buffer.from([s >> 8, s & 0xff, 0x41]));
        isKeyframeStart('h264', Buffer.concat([...parts, Buffer.from(tail)]));
      }),
    );
  });
});
