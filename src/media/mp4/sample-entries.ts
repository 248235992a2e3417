import { ParseError } from '../../base/index.js';
import type { BoxWriter } from './box-writer.js';
import { Mp4MuxError } from './errors.js';
import type { Mp4AudioTrack, Mp4Track, Mp4VideoTrack } from './tracks.js';

/** Sample entry four-character code per codec: `hvc1` (not `hev1`) because Apple requires it for HLS. */
const VIDEO_ENTRY = { h264: ['avc1', 'avcC'], h265: ['hvc1', 'hvcC'], av1: ['av01', 'av1C'] } as const;

/** Writes the one sample entry of a track's stsd (ISO/IEC 14496-12 §8.5.2). */
export function writeSampleEntry(w: BoxWriter, track: Mp4Track): void {
  if (track.kind === 'video') writeVisualEntry(w, track);
  else if (track.codec === 'aac') writeAudioEntry(w, track, 'mp4a', () => writeEsds(w, track.config));
  else writeAudioEntry(w, track, 'Opus', () => writeDOps(w, track.config));
}

/** SampleEntry (§8.5.2.2): six reserved bytes, then data_reference_index 1 (our only dref entry). */
function writeSampleEntryHeader(w: BoxWriter): void {
  w.zeros(6).u16(1);
}

/** VisualSampleEntry (§12.1.3.2) followed by the codec's configuration box, stored as received. */
function writeVisualEntry(w: BoxWriter, track: Mp4VideoTrack): void {
  const [entry, configBox] = VIDEO_ENTRY[track.codec];
  // AV1-ISOBMFF §2.2.4 recommends this compressorname; the others stay empty
  const compressor = track.codec === 'av1' ? '\x0aAOM Coding' : '';
  w.box(entry, () => {
    writeSampleEntryHeader(w);
    w.zeros(16); // pre_defined, reserved, pre_defined[3]
    w.u16(track.width).u16(track.height);
    w.u32(0x00480000).u32(0x00480000); // 72 dpi, 16.16
    w.u32(0); // reserved
    w.u16(1); // frame_count: one frame per sample
    const name = Buffer.from(compressor, 'latin1');
    w.bytes(name).zeros(32 - name.length);
    w.u16(0x0018); // depth: colour, no alpha
    w.i16(-1); // pre_defined
    w.box(configBox, () => w.bytes(track.config));
  });
}

/** AudioSampleEntry (§12.2.3.2); the decoder reads the real layout from esds / dOps. */
function writeAudioEntry(w: BoxWriter, track: Mp4AudioTrack, entry: string, config: () => void): void {
  w.box(entry, () => {
    writeSampleEntryHeader(w);
    w.zeros(8); // reserved
    w.u16(track.channels).u16(16); // channelcount, samplesize
    w.zeros(4); // pre_defined, reserved
    // samplerate is 16.16; rates above 65535 Hz do not fit (they would need a V1 entry and
    // 'srat', §12.2.3): write 0 and let the AudioSpecificConfig speak
    w.u32(track.sampleRate < 0x10000 ? track.sampleRate * 0x10000 : 0);
    config();
  });
}

/** ISO/IEC 14496-1 §8.3.3: a descriptor's size in 7-bit groups, high bit set on all but the last. */
function descriptorSizeBytes(size: number): number {
  let n = 1;
  while (size >= 2 ** (7 * n)) n++;
  return n;
}

function writeDescriptor(w: BoxWriter, tag: number, size: number, body: () => void): void {
  w.u8(tag);
  const n = descriptorSizeBytes(size);
  for (let i = n - 1; i >= 0; i--) w.u8((Math.floor(size / 2 ** (7 * i)) & 0x7f) | (i > 0 ? 0x80 : 0));
  const start = w.pos;
  body();
  if (!w.measuring && w.pos - start !== size) throw new Mp4MuxError(`descriptor ${tag} wrote ${w.pos - start} of ${size} bytes`);
}

const descriptorLength = (size: number): number => 1 + descriptorSizeBytes(size) + size;

/** esds (ISO/IEC 14496-14 §5.6): an ES_Descriptor wrapping the AudioSpecificConfig. */
function writeEsds(w: BoxWriter, asc: Buffer): void {
  const decoderSpecific = asc.length;
  const decoderConfig = 13 + descriptorLength(decoderSpecific);
  const slConfig = 1;
  const es = 3 + descriptorLength(decoderConfig) + descriptorLength(slConfig);
  w.fullBox('esds', 0, 0, () => {
    // 14496-1 §7.2.6.5 ES_Descriptor: ES_ID 0 (14496-14 §3.1.2: set to 0 in files), no flags
    writeDescriptor(w, 0x03, es, () => {
      w.u16(0).u8(0);
      // §7.2.6.6 DecoderConfigDescriptor: 0x40 = Audio ISO/IEC 14496-3, streamType 5 (audio),
      // upStream 0, reserved 1; buffer size and bitrates unknown for a live stream
      writeDescriptor(w, 0x04, decoderConfig, () => {
        w.u8(0x40).u8((0x05 << 2) | 1).u24(0).u32(0).u32(0);
        writeDescriptor(w, 0x05, decoderSpecific, () => w.bytes(asc));
      });
      // §7.3.2.3 SLConfigDescriptor: predefined 2 is the value reserved for MP4 files
      writeDescriptor(w, 0x06, slConfig, () => w.u8(0x02));
    });
  });
}

/**
 * dOps (Opus in ISOBMFF §4.3.2) from an OpusHead (RFC 7845 §5.1): same fields without the magic,
 * big-endian instead of little-endian, and Version 0 where OpusHead says 1.
 */
function writeDOps(w: BoxWriter, head: Buffer): void {
  if (head.length < 19 || head.toString('latin1', 0, 8) !== 'OpusHead') throw new ParseError('not an OpusHead', 0);
  const channels = head.readUInt8(9);
  const family = head.readUInt8(18);
  if (family !== 0 && head.length < 21 + channels) throw new ParseError('OpusHead channel mapping table truncated', head.length);
  w.box('dOps', () => {
    w.u8(0).u8(channels);
    w.u16(head.readUInt16LE(10)); // PreSkip
    w.u32(head.readUInt32LE(12)); // InputSampleRate
    w.i16(head.readInt16LE(16)); // OutputGain, Q7.8 dB
    w.u8(family);
    // stream count, coupled count and the mapping table only exist for families other than 0
    if (family !== 0) w.bytes(head.subarray(19, 21 + channels));
  });
}
