import { ParseError } from '../../base/index.js';
import { readBoxes, type Mp4Box } from './box-reader.js';

/** What a progressive file needs to know about one track of an fMP4 init segment. */
export interface InitTrack {
  id: number;
  /** hdlr handler_type: `vide`, `soun`... */
  handler: string;
  timescale: number;
  /** tkhd width and height in whole pixels (0 for audio). */
  width: number;
  height: number;
  /** The complete stsd box (header included), copied as is into the progressive moov. */
  stsd: Buffer;
}

/** One sample of a movie fragment's track run. */
export interface FragmentSample {
  duration: number;
  size: number;
  /** §8.8.3.1 sample flags; bit 16 is sample_is_non_sync_sample. */
  flags: number;
  compositionOffset: number;
}

/** One trun: consecutive samples of one track stored back to back at `dataOffset` of the file. */
export interface TrackRun {
  trackId: number;
  /** tfdt baseMediaDecodeTime of the traf this run belongs to, plus the durations of earlier runs of that traf. */
  baseDecodeTime: number;
  /** Absolute offset of the run's first sample in the file the moof was read from. */
  dataOffset: number;
  samples: FragmentSample[];
}

/** True when the §8.8.3.1 flags mark a sync sample (random access point). */
export function isSyncSample(flags: number): boolean {
  return (flags & 0x00010000) === 0;
}

/** Reads the tracks of an init segment's moov; `moov` is the whole box, header included. */
export function readInitTracks(moov: Buffer): InitTrack[] {
  const [box] = readBoxes(moov);
  if (box === undefined || box.type !== 'moov') throw new ParseError('not a moov box', 0);
  const tracks: InitTrack[] = [];
  for (const trak of children(box).filter((b) => b.type === 'trak')) {
    const tkhd = child(trak, 'tkhd').body;
    const v1 = tkhd[0] === 1;
    const id = tkhd.readUInt32BE(v1 ? 20 : 12);
    // width and height are the last 8 bytes of tkhd, 16.16 fixed point
    const width = tkhd.readUInt32BE(tkhd.length - 8) >>> 16;
    const height = tkhd.readUInt32BE(tkhd.length - 4) >>> 16;
    const mdia = child(trak, 'mdia');
    const mdhd = child(mdia, 'mdhd').body;
    const timescale = mdhd.readUInt32BE(mdhd[0] === 1 ? 20 : 12);
    const handler = child(mdia, 'hdlr').body.toString('latin1', 8, 12);
    const stsd = child(child(child(mdia, 'minf'), 'stbl'), 'stsd');
    tracks.push({ id, handler, timescale, width, height, stsd: rawBox(stsd) });
  }
  return tracks;
}

/**
 * Reads the track runs of one moof (the whole box, header included) that starts at `moofOffset`
 * in its file; data offsets are resolved to absolute file offsets (§8.8.7 base data offset rules).
 */
export function readMoofRuns(moof: Buffer, moofOffset: number): TrackRun[] {
  const [box] = readBoxes(moof);
  if (box === undefined || box.type !== 'moof') throw new ParseError('not a moof box', 0);
  const runs: TrackRun[] = [];
  let previousEnd = moofOffset;
  children(box)
    .filter((b) => b.type === 'traf')
    .forEach((traf, index) => {
      const tfhd = parseTfhd(child(traf, 'tfhd').body);
      const tfdtBox = children(traf).find((b) => b.type === 'tfdt');
      let decodeTime = tfdtBox === undefined ? 0 : readTfdt(tfdtBox.body);
      // §8.8.7.1: without an explicit base, the first traf (or any with default-base-is-moof)
      // counts from the moof; later ones continue where the previous traf's data ended
      let base = tfhd.baseDataOffset ?? (tfhd.baseIsMoof || index === 0 ? moofOffset : previousEnd);
      let nextData: number | undefined;
      for (const trunBox of children(traf).filter((b) => b.type === 'trun')) {
        const trun = parseTrun(trunBox.body, tfhd);
        const dataOffset = trun.dataOffset !== undefined ? base + trun.dataOffset : (nextData ?? base);
        runs.push({ trackId: tfhd.trackId, baseDecodeTime: decodeTime, dataOffset, samples: trun.samples });
        const bytes = trun.samples.reduce((t, s) => t + s.size, 0);
        nextData = dataOffset + bytes;
        previousEnd = nextData;
        decodeTime += trun.samples.reduce((t, s) => t + s.duration, 0);
        base = tfhd.baseDataOffset ?? base;
      }
    });
  return runs;
}

interface Tfhd {
  trackId: number;
  baseDataOffset?: number;
  baseIsMoof: boolean;
  defaultDuration: number;
  defaultSize: number;
  defaultFlags: number;
}

function parseTfhd(b: Buffer): Tfhd {
  const flags = b.readUIntBE(1, 3);
  let pos = 8;
  const take = (bytes: number): number => {
    if (pos + bytes > b.length) throw new ParseError('tfhd truncated', pos);
    const v = bytes === 8 ? Number(b.readBigUInt64BE(pos)) : b.readUInt32BE(pos);
    pos += bytes;
    return v;
  };
  const tfhd: Tfhd = { trackId: b.readUInt32BE(4), baseIsMoof: (flags & 0x020000) !== 0, defaultDuration: 0, defaultSize: 0, defaultFlags: 0 };
  if (flags & 0x000001) tfhd.baseDataOffset = take(8);
  if (flags & 0x000002) take(4); // sample_description_index: we only write one entry
  if (flags & 0x000008) tfhd.defaultDuration = take(4);
  if (flags & 0x000010) tfhd.defaultSize = take(4);
  if (flags & 0x000020) tfhd.defaultFlags = take(4);
  return tfhd;
}

function readTfdt(b: Buffer): number {
  return b[0] === 1 ? Number(b.readBigUInt64BE(4)) : b.readUInt32BE(4);
}

function parseTrun(b: Buffer, tfhd: Tfhd): { dataOffset?: number; samples: FragmentSample[] } {
  const version = b[0] ?? 0;
  const flags = b.readUIntBE(1, 3);
  const count = b.readUInt32BE(4);
  let pos = 8;
  const need = (bytes: number): void => {
    if (pos + bytes > b.length) throw new ParseError('trun truncated', pos);
  };
  let dataOffset: number | undefined;
  if (flags & 0x000001) {
    need(4);
    dataOffset = b.readInt32BE(pos);
    pos += 4;
  }
  let firstFlags: number | undefined;
  if (flags & 0x000004) {
    need(4);
    firstFlags = b.readUInt32BE(pos);
    pos += 4;
  }
  const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
  if (count * perSample > b.length - pos) throw new ParseError(`trun of ${count} samples truncated`, pos);
  const u32 = (): number => {
    const v = b.readUInt32BE(pos);
    pos += 4;
    return v;
  };
  const samples: FragmentSample[] = [];
  for (let i = 0; i < count; i++) {
    const s: FragmentSample = { duration: tfhd.defaultDuration, size: tfhd.defaultSize, flags: i === 0 && firstFlags !== undefined ? firstFlags : tfhd.defaultFlags, compositionOffset: 0 };
    if (flags & 0x100) s.duration = u32();
    if (flags & 0x200) s.size = u32();
    if (flags & 0x400) s.flags = u32();
    // version 0 offsets are unsigned, version 1 signed (§8.8.8.2)
    if (flags & 0x800) s.compositionOffset = version === 0 ? u32() : u32() | 0;
    samples.push(s);
  }
  return dataOffset === undefined ? { samples } : { dataOffset, samples };
}

function children(box: Mp4Box): Mp4Box[] {
  return readBoxes(box.body, 0, box.offset + 8);
}

function child(box: Mp4Box, type: string): Mp4Box {
  const found = children(box).find((b) => b.type === type);
  if (found === undefined) throw new ParseError(`no ${type} in ${box.type}`, box.offset);
  return found;
}

function rawBox(box: Mp4Box): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(box.size, 0);
  header.write(box.type, 4, 'latin1');
  return Buffer.concat([header, box.body]);
}
