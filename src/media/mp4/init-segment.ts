import { type BoxWriter, encodeBoxes } from './box-writer.js';
import { Mp4MuxError } from './errors.js';
import { writeSampleEntry } from './sample-entries.js';
import type { Mp4Track } from './tracks.js';

const MOVIE_TIMESCALE = 1000;
// §8.2.2.3: the identity transformation matrix {a, b, u, c, d, v, x, y, w} in 16.16 / 2.30
const IDENTITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
// ISO 639-2/T 'und' packed as three 5-bit letters (each minus 0x60), §8.4.2.3
const LANGUAGE_UND = ((0x75 - 0x60) << 10) | ((0x6e - 0x60) << 5) | (0x64 - 0x60);

/**
 * The ftyp brands, and why each is there:
 * - `iso6` (major): an ISOBMFF brand recent enough for everything our fragments use: tfdt,
 *   default-base-is-moof (iso5 and later) and trun version 1's signed composition offsets.
 * - `cmfc`: the CMAF structural brand (ISO/IEC 23000-19), only for a single-track header: a CMAF
 *   header holds exactly one track, so a muxed audio+video init segment must not claim it.
 * - `isom`, `mp42`: the generic ISOBMFF and MP4 (14496-14) brands older readers look for.
 * - `av01` / `Opus`: the codec brands AV1-ISOBMFF §2.1 requires and Opus-in-ISOBMFF §4.1 defines.
 */
export function initSegmentBrands(tracks: readonly Mp4Track[]): string[] {
  const brands = ['iso6'];
  if (tracks.length === 1) brands.push('cmfc');
  brands.push('isom', 'mp42');
  if (tracks.some((t) => t.codec === 'av1')) brands.push('av01');
  if (tracks.some((t) => t.codec === 'opus')) brands.push('Opus');
  return brands;
}

/** Builds the fMP4 initialization segment (ftyp + moov with empty sample tables and mvex) for the tracks. */
export function buildInitSegment(tracks: readonly Mp4Track[]): Buffer {
  if (tracks.length === 0) throw new Mp4MuxError('an init segment needs at least one track');
  const ids = new Set(tracks.map((t) => t.id));
  if (ids.size !== tracks.length) throw new Mp4MuxError('track ids must be unique');
  const brands = initSegmentBrands(tracks);
  return encodeBoxes((w) => {
    w.box('ftyp', () => {
      w.fourcc(brands[0] ?? 'iso6').u32(0);
      for (const brand of brands) w.fourcc(brand);
    });
    w.box('moov', () => {
      writeMvhd(w, Math.max(...ids) + 1);
      for (const track of tracks) writeTrak(w, track);
      // §8.8.1: mvex announces that movie fragments follow; trex defaults are all overridden per trun
      w.box('mvex', () => {
        for (const track of tracks) {
          w.fullBox('trex', 0, 0, () => w.u32(track.id).u32(1).u32(0).u32(0).u32(0));
        }
      });
    });
  });
}

/** §8.2.2 MovieHeaderBox: duration 0 because a live stream's length is unknown (and lives in the fragments). */
function writeMvhd(w: BoxWriter, nextTrackId: number): void {
  w.fullBox('mvhd', 0, 0, () => {
    w.u32(0).u32(0).u32(MOVIE_TIMESCALE).u32(0); // creation, modification, timescale, duration
    w.u32(0x00010000).u16(0x0100).zeros(10); // rate 1.0, volume 1.0, reserved
    for (const v of IDENTITY_MATRIX) w.u32(v);
    w.zeros(24); // pre_defined
    w.u32(nextTrackId);
  });
}

function writeTrak(w: BoxWriter, track: Mp4Track): void {
  const video = track.kind === 'video';
  w.box('trak', () => {
    // §8.3.2 TrackHeaderBox, flags track_enabled | track_in_movie
    w.fullBox('tkhd', 0, 0x000003, () => {
      w.u32(0).u32(0).u32(track.id).u32(0).u32(0); // creation, modification, id, reserved, duration
      w.zeros(8); // reserved
      w.u16(0).u16(0); // layer, alternate_group
      w.u16(video ? 0 : 0x0100).u16(0); // volume (audio only), reserved
      for (const v of IDENTITY_MATRIX) w.u32(v);
      w.u32(video ? track.width * 0x10000 : 0).u32(video ? track.height * 0x10000 : 0);
    });
    w.box('mdia', () => {
      w.fullBox('mdhd', 0, 0, () => w.u32(0).u32(0).u32(track.timescale).u32(0).u16(LANGUAGE_UND).u16(0));
      w.fullBox('hdlr', 0, 0, () => {
        w.u32(0).fourcc(video ? 'vide' : 'soun').zeros(12);
        w.bytes(Buffer.from(video ? 'VideoHandler\0' : 'SoundHandler\0', 'latin1'));
      });
      w.box('minf', () => writeMinf(w, track));
    });
  });
}

function writeMinf(w: BoxWriter, track: Mp4Track): void {
  // §12.1.2 vmhd has flags 1 by definition; §12.2.2 smhd: balance 0 (centre)
  if (track.kind === 'video') w.fullBox('vmhd', 0, 1, () => w.zeros(8));
  else w.fullBox('smhd', 0, 0, () => w.zeros(4));
  // §8.7.2: one 'url ' entry with flags 1 = the media data is in this file
  w.box('dinf', () => w.fullBox('dref', 0, 0, () => w.u32(1).fullBox('url ', 0, 1, () => undefined)));
  w.box('stbl', () => {
    w.fullBox('stsd', 0, 0, () => {
      w.u32(1);
      writeSampleEntry(w, track);
    });
    // the samples all live in fragments (§8.8.1), so the tables of the moov are empty
    w.fullBox('stts', 0, 0, () => w.u32(0));
    w.fullBox('stsc', 0, 0, () => w.u32(0));
    w.fullBox('stsz', 0, 0, () => w.u32(0).u32(0));
    w.fullBox('stco', 0, 0, () => w.u32(0));
  });
}
