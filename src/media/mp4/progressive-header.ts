import { type BoxWriter, encodeBoxes } from './box-writer.js';
import { Mp4MuxError } from './errors.js';
import { isSyncSample, type FragmentSample, type InitTrack } from './fragment-index.js';

/** One track of a progressive (non-fragmented) MP4: its samples in decode order and the chunks holding them. */
export interface ProgressiveTrack {
  info: InitTrack;
  samples: readonly FragmentSample[];
  /** Runs of consecutive samples; `offset` counts from the first byte of the mdat payload. */
  chunks: readonly { offset: number; count: number }[];
  /** Decode time of the first sample in track ticks: shown as an empty edit so tracks stay in sync. */
  startTicks: number;
}

const MOVIE_TIMESCALE = 1000;
const IDENTITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
const LANGUAGE_UND = ((0x75 - 0x60) << 10) | ((0x6e - 0x60) << 5) | (0x64 - 0x60);
const U32_MAX = 0xffffffff;

/**
 * Builds everything of a progressive MP4 that precedes the media bytes: ftyp, a moov with complete
 * sample tables, and the mdat header for `payloadBytes` of media ("faststart": the index comes
 * first, so players can seek before downloading the media). Write the mdat payload right after it.
 */
export function buildProgressiveHeader(tracks: readonly ProgressiveTrack[], payloadBytes: number): Buffer {
  if (tracks.length === 0) throw new Mp4MuxError('a progressive MP4 needs at least one track');
  for (const t of tracks) {
    const counted = t.chunks.reduce((n, c) => n + c.count, 0);
    if (counted !== t.samples.length) throw new Mp4MuxError(`track ${t.info.id}: chunks hold ${counted} samples, not ${t.samples.length}`);
  }
  const ftyp = encodeBoxes((w) => writeFtyp(w, tracks));
  const largeMdat = payloadBytes + 8 > U32_MAX;
  const mdatHeader = largeMdat ? 16 : 8;
  // the chunk offsets depend on the moov's size, which depends on whether they need 64 bits
  const measure = (wide: boolean): number => encodeBoxes((w) => writeMoov(w, tracks, 0, wide)).length;
  let wide = false;
  if (ftyp.length + measure(false) + mdatHeader + payloadBytes > U32_MAX) wide = true;
  const payloadStart = ftyp.length + measure(wide) + mdatHeader;
  const moov = encodeBoxes((w) => writeMoov(w, tracks, payloadStart, wide));
  const mdat = Buffer.alloc(mdatHeader);
  if (largeMdat) {
    // §4.2: size 1 means a 64-bit largesize follows the type
    mdat.writeUInt32BE(1, 0);
    mdat.write('mdat', 4, 'latin1');
    mdat.writeBigUInt64BE(BigInt(payloadBytes + 16), 8);
  } else {
    mdat.writeUInt32BE(payloadBytes + 8, 0);
    mdat.write('mdat', 4, 'latin1');
  }
  return Buffer.concat([ftyp, moov, mdat]);
}

/** Duration of a track's media in its own ticks. */
export function trackMediaTicks(track: ProgressiveTrack): number {
  return track.samples.reduce((t, s) => t + s.duration, 0);
}

function toMovie(ticks: number, timescale: number): number {
  return Math.round((ticks * MOVIE_TIMESCALE) / timescale);
}

function writeFtyp(w: BoxWriter, tracks: readonly ProgressiveTrack[]): void {
  const brands = ['isom', 'iso2', 'iso6', 'mp41'];
  if (tracks.some((t) => t.info.stsd.includes('av01', 0, 'latin1'))) brands.push('av01');
  w.box('ftyp', () => {
    w.fourcc('isom').u32(0x200);
    for (const b of brands) w.fourcc(b);
  });
}

function writeMoov(w: BoxWriter, tracks: readonly ProgressiveTrack[], payloadStart: number, wide: boolean): void {
  const durations = tracks.map((t) => toMovie(t.startTicks + trackMediaTicks(t), t.info.timescale));
  w.box('moov', () => {
    w.fullBox('mvhd', 0, 0, () => {
      w.u32(0).u32(0).u32(MOVIE_TIMESCALE).u32(Math.max(...durations));
      w.u32(0x00010000).u16(0x0100).zeros(10);
      for (const v of IDENTITY_MATRIX) w.u32(v);
      w.zeros(24);
      w.u32(Math.max(...tracks.map((t) => t.info.id)) + 1);
    });
    tracks.forEach((t, i) => writeTrak(w, t, durations[i] ?? 0, payloadStart, wide));
  });
}

function writeTrak(w: BoxWriter, t: ProgressiveTrack, movieDuration: number, payloadStart: number, wide: boolean): void {
  const video = t.info.handler === 'vide';
  w.box('trak', () => {
    w.fullBox('tkhd', 0, 0x000003, () => {
      w.u32(0).u32(0).u32(t.info.id).u32(0).u32(movieDuration);
      w.zeros(8).u16(0).u16(0).u16(video ? 0 : 0x0100).u16(0);
      for (const v of IDENTITY_MATRIX) w.u32(v);
      w.u32(t.info.width * 0x10000).u32(t.info.height * 0x10000);
    });
    // §8.6.6: an empty edit delays a track that starts after the movie's zero (audio after the first keyframe)
    if (t.startTicks > 0) {
      const empty = toMovie(t.startTicks, t.info.timescale);
      w.box('edts', () =>
        w.fullBox('elst', 0, 0, () => {
          w.u32(2);
          w.u32(empty).i32(-1).u16(1).u16(0);
          w.u32(Math.max(0, movieDuration - empty)).i32(0).u16(1).u16(0);
        }),
      );
    }
    w.box('mdia', () => {
      w.fullBox('mdhd', 0, 0, () => w.u32(0).u32(0).u32(t.info.timescale).u32(Math.min(U32_MAX, trackMediaTicks(t))).u16(LANGUAGE_UND).u16(0));
      w.fullBox('hdlr', 0, 0, () => {
        w.u32(0).fourcc(t.info.handler).zeros(12);
        w.bytes(Buffer.from(video ? 'VideoHandler\0' : 'SoundHandler\0', 'latin1'));
      });
      w.box('minf', () => {
        if (video) w.fullBox('vmhd', 0, 1, () => w.zeros(8));
        else w.fullBox('smhd', 0, 0, () => w.zeros(4));
        w.box('dinf', () => w.fullBox('dref', 0, 0, () => w.u32(1).fullBox('url ', 0, 1, () => undefined)));
        w.box('stbl', () => writeStbl(w, t, payloadStart, wide));
      });
    });
  });
}

/** Run-length pairs of consecutive equal values. */
function runs(values: readonly number[]): [count: number, value: number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === v) last[0]++;
    else out.push([1, v]);
  }
  return out;
}

function writeStbl(w: BoxWriter, t: ProgressiveTrack, payloadStart: number, wide: boolean): void {
  w.bytes(t.info.stsd);
  // §8.6.1.2 decoding time to sample
  const stts = runs(t.samples.map((s) => s.duration));
  w.fullBox('stts', 0, 0, () => {
    w.u32(stts.length);
    for (const [n, d] of stts) w.u32(n).u32(d);
  });
  // §8.6.1.3 composition offsets, signed (version 1) when a frame is shown before it is decoded
  const offsets = t.samples.map((s) => s.compositionOffset);
  if (offsets.some((o) => o !== 0)) {
    const ctts = runs(offsets);
    w.fullBox('ctts', offsets.some((o) => o < 0) ? 1 : 0, 0, () => {
      w.u32(ctts.length);
      for (const [n, o] of ctts) w.u32(n).i32(o);
    });
  }
  // §8.6.2 sync samples; absent means every sample is one (audio)
  if (t.samples.some((s) => !isSyncSample(s.flags))) {
    const sync = t.samples.flatMap((s, i) => (isSyncSample(s.flags) ? [i + 1] : []));
    w.fullBox('stss', 0, 0, () => {
      w.u32(sync.length);
      for (const n of sync) w.u32(n);
    });
  }
  // §8.7.4 sample to chunk: one entry per change of samples_per_chunk
  const stsc: [first: number, count: number][] = [];
  t.chunks.forEach((c, i) => {
    if (stsc[stsc.length - 1]?.[1] !== c.count) stsc.push([i + 1, c.count]);
  });
  w.fullBox('stsc', 0, 0, () => {
    w.u32(stsc.length);
    for (const [first, count] of stsc) w.u32(first).u32(count).u32(1);
  });
  const sizes = t.samples.map((s) => s.size);
  const constant = sizes.length > 0 && sizes.every((s) => s === sizes[0]) ? (sizes[0] ?? 0) : 0;
  w.fullBox('stsz', 0, 0, () => {
    w.u32(constant).u32(sizes.length);
    if (constant === 0) for (const s of sizes) w.u32(s);
  });
  w.fullBox(wide ? 'co64' : 'stco', 0, 0, () => {
    w.u32(t.chunks.length);
    for (const c of t.chunks) {
      if (wide) w.u64(payloadStart + c.offset);
      else w.u32(payloadStart + c.offset);
    }
  });
}
