import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../base/index.js';
import { ActiveSpeakerDetector, audioLevelOf, parseAudioLevel, voiceActivityOf } from './audio-level.js';

describe('RFC 6464 audio level element', () => {
  it('reads the V flag and the level in -dBov', () => {
    expect(parseAudioLevel(Buffer.from([0x80 | 32]))).toEqual({ voice: true, level: 32 });
    expect(parseAudioLevel(Buffer.from([0x7f]))).toEqual({ voice: false, level: 127 });
    expect(parseAudioLevel(Buffer.from([0x00, 0x00, 0x00]))).toEqual({ voice: false, level: 0 });
    expect(audioLevelOf(0xa5)).toBe(0x25);
    expect(voiceActivityOf(0xa5)).toBe(true);
    expect(voiceActivityOf(0x25)).toBe(false);
  });

  it('an empty element is a ParseError at byte 0', () => {
    expect(() => parseAudioLevel(Buffer.alloc(0))).toThrow(ParseError);
  });

  it('any bytes either parse to a level in 0..127 or throw ParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), (bytes) => {
        try {
          const r = parseAudioLevel(Buffer.from(bytes));
          expect(r.level).toBeGreaterThanOrEqual(0);
          expect(r.level).toBeLessThanOrEqual(127);
          expect(r.voice).toBe(bytes[0]! >= 0x80);
        } catch (e) {
          expect(e).toBeInstanceOf(ParseError);
        }
      }),
    );
  });
});

function room() {
  const changes: (string | null)[] = [];
  const d = new ActiveSpeakerDetector({ onChange: (id) => changes.push(id) });
  /** Audio packets every 20 ms from each speaker in `levels` over [from, to). */
  const talk = (levels: Record<string, number>, from: number, to: number): void => {
    for (let t = from; t < to; t += 20) for (const [id, level] of Object.entries(levels)) d.feed(id, level, t);
  };
  return { d, changes, talk };
}

describe('active speaker detection', () => {
  it('a speaker becomes active only after being the loudest for the hold', () => {
    const { d, changes, talk } = room();
    talk({ alice: 20, bob: 127 }, 0, 980);
    expect(changes).toEqual([]);
    talk({ alice: 20, bob: 127 }, 1000, 1020);
    expect(changes).toEqual(['alice']);
    expect(d.active).toBe('alice');
  });

  it('a louder new speaker takes over only after about a second', () => {
    const { d, changes, talk } = room();
    talk({ alice: 30, bob: 127 }, 0, 2000);
    talk({ alice: 30, bob: 10 }, 2000, 2980);
    expect(d.active).toBe('alice');
    talk({ alice: 30, bob: 10 }, 3000, 3020);
    expect(d.active).toBe('bob');
    expect(changes).toEqual(['alice', 'bob']);
  });

  it('a short shout does not take over', () => {
    const { d, changes, talk } = room();
    talk({ alice: 30, bob: 127 }, 0, 2000);
    talk({ alice: 30, bob: 5 }, 2000, 2500);
    talk({ alice: 30, bob: 127 }, 2500, 5000);
    expect(d.active).toBe('alice');
    expect(changes).toEqual(['alice']);
  });

  it('sound below the silence threshold never makes a speaker, and silence keeps the last one', () => {
    const { d, changes, talk } = room();
    talk({ alice: 20 }, 0, 1500);
    talk({ bob: 60 }, 1500, 5000);
    expect(d.active).toBe('alice');
    expect(changes).toEqual(['alice']);
  });

  it('reports smoothed levels, and a participant who sends nothing reads as silent', () => {
    const { d, talk } = room();
    talk({ alice: 10 }, 0, 250);
    talk({ alice: 30, bob: 40 }, 250, 500);
    talk({ bob: 40 }, 500, 520);
    const levels = d.levels();
    expect(levels.get('alice')).toBeCloseTo(20, 5);
    expect(levels.get('bob')).toBe(40);
    // bob's packet at 500 ms counts for the window ending at 1000 ms, the next window is empty
    expect(d.levels(1100).get('bob')).toBe(40);
    expect(d.levels(1600).get('bob')).toBe(127);
  });

  it('a speaker who leaves is no longer active', () => {
    const { d, changes, talk } = room();
    talk({ alice: 20 }, 0, 1100);
    d.remove('alice');
    expect(d.active).toBeNull();
    expect(changes).toEqual(['alice', null]);
    expect(d.levels().has('alice')).toBe(false);
  });
});
