import { describe, expect, it } from 'vitest';
import { buildPatSection, buildPmtSection, crc32Mpeg, writeProgramTables } from './psi.js';
import { TsPid, TsStreamType } from './ts-constants.js';
import { demuxTransportStream } from './ts-demuxer.js';
import { ContinuityCounters } from './ts-packet.js';

describe('PSI', () => {
  it('CRC-32/MPEG-2 gives the catalogue check value, and 0 over a section with its CRC', () => {
    expect(crc32Mpeg(Buffer.from('123456789'))).toBe(0x0376e6e7);
    expect(crc32Mpeg(buildPatSection())).toBe(0);
  });

  it('the PAT names program 1 on PMT PID 0x1000, byte for byte what common muxers write', () => {
    expect(buildPatSection().toString('hex')).toBe('00b00d0001c100000001f0002ab104b2');
  });

  it('PAT and PMT read back: PCR PID, stream types, version; 0xFF after each section', () => {
    const out = Buffer.alloc(376);
    const pmt = buildPmtSection({
      pcrPid: TsPid.Video,
      version: 3,
      streams: [
        { pid: TsPid.Video, streamType: TsStreamType.H264 },
        { pid: TsPid.Audio, streamType: TsStreamType.AacAdts },
      ],
    });
    writeProgramTables(out, 0, new ContinuityCounters(), buildPatSection(), pmt);
    expect(out.subarray(0, 5).toString('hex')).toBe('4740001000');
    expect(out.subarray(5 + 16, 188).every((b) => b === 0xff)).toBe(true);
    const demuxed = demuxTransportStream(out);
    expect(demuxed.problems).toEqual([]);
    expect(demuxed.program).toEqual({
      pmtPid: TsPid.Pmt,
      pcrPid: TsPid.Video,
      version: 3,
      streams: [
        { streamType: 0x1b, pid: 0x100 },
        { streamType: 0x0f, pid: 0x101 },
      ],
      packet: 1,
    });
  });
});
