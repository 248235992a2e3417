import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { BitWriter } from '../bits/bit-writer.js';
import { buildAdtsHeader } from './adts.js';
import { buildAudioSpecificConfig, parseAudioSpecificConfig } from './audio-specific-config.js';
import { AacUnsupportedConfigError } from './errors.js';
import { AAC_SAMPLE_RATES } from './sampling.js';
import { aacTrackInfo } from './track-info.js';

describe('AudioSpecificConfig', () => {
  it('reads AAC-LC 44.1 kHz stereo (0x1210, what ffmpeg and OBS send)', () => {
    expect(aacTrackInfo(Buffer.from([0x12, 0x10]))).toEqual({
      codec: 'aac',
      codecString: 'mp4a.40.2',
      sampleRate: 44100,
      channels: 2,
      objectType: 2,
    });
  });

  it('reads an escaped object type and an explicit 24-bit rate', () => {
    // AOT 31 + 6 bits (42 = USAC → 32 + 10), index 15 + 24-bit 37800 Hz, channel config 1
    const buf = new BitWriter().u(5, 31).u(6, 10).u(4, 15).u(24, 37800).u(4, 1).toBuffer();
    expect(parseAudioSpecificConfig(buf)).toMatchObject({ objectType: 42, sampleRate: 37800, channels: 1 });
  });

  it('reads explicit HE-AAC v1 and v2 (output rate after SBR, PS makes stereo)', () => {
    // AOT 5, 24 kHz core, mono, SBR at 48 kHz, core AOT 2
    const he = new BitWriter().u(5, 5).u(4, 6).u(4, 1).u(4, 3).u(5, 2).u(3, 0).toBuffer();
    expect(parseAudioSpecificConfig(he)).toMatchObject({ objectType: 5, coreObjectType: 2, sampleRate: 24000, outputSampleRate: 48000, channels: 1, sbr: true });
    const hev2 = new BitWriter().u(5, 29).u(4, 6).u(4, 1).u(4, 3).u(5, 2).u(3, 0).toBuffer();
    expect(aacTrackInfo(hev2)).toMatchObject({ codecString: 'mp4a.40.29', sampleRate: 48000, channels: 2 });
  });

  it('reads backward-compatible SBR signalling after the GASpecificConfig', () => {
    // LC 22.05 kHz stereo + sync extension 0x2b7, AOT 5, sbr 1, 44.1 kHz
    const buf = new BitWriter().u(5, 2).u(4, 7).u(4, 2).u(3, 0).u(11, 0x2b7).u(5, 5).u(1, 1).u(4, 4).toBuffer();
    expect(parseAudioSpecificConfig(buf)).toMatchObject({ objectType: 2, sbr: true, sampleRate: 22050, outputSampleRate: 44100 });
  });

  it('counts channels from a program config element when channelConfiguration is 0', () => {
    // PCE: 2 front elements (CPE + SCE), 1 back CPE, 1 LFE → 6 channels
    const w = new BitWriter().u(5, 2).u(4, 3).u(4, 0).u(3, 0);
    w.u(4, 0).u(2, 1).u(4, 3).u(4, 2).u(4, 0).u(4, 1).u(2, 1).u(3, 0).u(4, 0).u(1, 0).u(1, 0).u(1, 0);
    w.u(1, 1).u(4, 0).u(1, 0).u(4, 0).u(1, 1).u(4, 1).u(4, 0);
    expect(parseAudioSpecificConfig(w.toBuffer())).toMatchObject({ channelConfig: 0, channels: 6 });
  });

  it('build and parse round-trip for any LC-family config', () => {
    const rate = fc.oneof(fc.constantFrom(...AAC_SAMPLE_RATES), fc.integer({ min: 1, max: 2 ** 24 - 1 }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), rate, fc.constantFrom(1, 2, 3, 4, 5, 6, 8), (objectType, sampleRate, channels) => {
      const asc = parseAudioSpecificConfig(buildAudioSpecificConfig({ objectType, sampleRate, channels }));
      expect(asc).toMatchObject({ objectType, sampleRate, channels, sbr: false });
    }));
    expect(buildAudioSpecificConfig({ objectType: 2, sampleRate: 48000, channels: 2 })).toEqual(Buffer.from([0x11, 0x90]));
  });

  it('refuses to build what it cannot express', () => {
    expect(() => buildAudioSpecificConfig({ objectType: 2, sampleRate: 48000, channels: 7 })).toThrow(AacUnsupportedConfigError);
    expect(() => buildAudioSpecificConfig({ objectType: 5, sampleRate: 48000, channels: 2 })).toThrow(AacUnsupportedConfigError);
  });

  it('on arbitrary bytes returns or throws ParseError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => {
      try {
        aacTrackInfo(Buffer.from(bytes));
      } catch (err) {
        expect(err).toBeInstanceOf(ParseError);
      }
    }), { numRuns: 3000 });
  });
});

describe('buildAdtsHeader', () => {
  it('writes the 7-byte header for LC 44.1 kHz stereo', () => {
    const asc = parseAudioSpecificConfig(Buffer.from([0x12, 0x10]));
    // frame length 7 + 371 = 378 = 0x17a
    expect([...buildAdtsHeader(asc, 371)]).toEqual([0xff, 0xf1, 0x50, 0x80, 0x2f, 0x5f, 0xfc]);
  });

  it('writes HE-AAC as its LC core', () => {
    const he = parseAudioSpecificConfig(new BitWriter().u(5, 5).u(4, 6).u(4, 2).u(4, 3).u(5, 2).u(3, 0).toBuffer());
    const header = buildAdtsHeader(he, 100);
    expect(header[2]! >> 6).toBe(1); // profile = AOT 2 - 1
    expect((header[2]! >> 2) & 0x0f).toBe(6); // 24 kHz core rate
  });

  it('refuses frames that do not fit 13 bits and configs ADTS cannot carry', () => {
    const asc = parseAudioSpecificConfig(Buffer.from([0x12, 0x10]));
    expect(() => buildAdtsHeader(asc, 8185)).toThrow(AacUnsupportedConfigError);
    const explicitRate = parseAudioSpecificConfig(buildAudioSpecificConfig({ objectType: 2, sampleRate: 37800, channels: 2 }));
    expect(() => buildAdtsHeader(explicitRate, 10)).toThrow(AacUnsupportedConfigError);
  });
});
