import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  Av1ObuType,
  buildAv1CodecConfig,
  buildHevcDecoderConfig,
  HevcNalType,
  hevcNalType,
  isHevcKeyframe,
  joinNalUnits,
  readObus,
  splitAnnexB,
  type Av1Obu,
} from '../../src/media/index.js';
import { requireBinary } from './peers.js';

const run = promisify(execFile);

/** One access unit / temporal unit as Enhanced RTMP carries it. */
export interface CodedFrame {
  /** Length-prefixed NAL units (HEVC) or OBUs without temporal delimiters (AV1). */
  data: Buffer;
  keyframe: boolean;
}

/** A video elementary stream turned into what an Enhanced RTMP publisher sends: a config record and frames. */
export interface CodedClip {
  codec: 'h265' | 'av1';
  /** hvcC or av1C. */
  config: Buffer;
  frames: CodedFrame[];
  width: number;
  height: number;
  fps: number;
}

export interface CodedClipOptions {
  seconds?: number;
  width?: number;
  height?: number;
  fps?: number;
}

/** Runs ffmpeg once per machine for a clip file, renaming last so a concurrent test never reads half of it. */
async function encodeOnce(name: string, args: readonly string[]): Promise<string> {
  requireBinary('ffmpeg');
  const dir = join(tmpdir(), 'zenlive-test-clips');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  await run('ffmpeg', ['-v', 'error', '-y', ...args, tmp], { maxBuffer: 16 * 1024 * 1024 });
  renameSync(tmp, file);
  return file;
}

/**
 * An HEVC clip from libx265 (Annex B, an access unit delimiter before each picture, no B-frames,
 * an IDR every second), converted to hvcC + length-prefixed access units.
 */
export async function makeHevcClip(options: CodedClipOptions = {}): Promise<CodedClip> {
  const { seconds = 2, width = 1280, height = 720, fps = 30 } = options;
  const x265 = `bframes=0:keyint=${fps}:min-keyint=${fps}:scenecut=0:open-gop=0:aud=1:log-level=error`;
  const file = await encodeOnce(`hevc-${width}x${height}-${fps}-${seconds}.hevc`, [
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`, '-t', String(seconds),
    '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', x265, '-pix_fmt', 'yuv420p', '-f', 'hevc',
  ]);
  const { config, accessUnits } = hevcAccessUnits(splitAnnexB(await readFile(file)));
  const frames = accessUnits.map((units) => {
    const data = joinNalUnits(units);
    return { data, keyframe: isHevcKeyframe(data) };
  });
  return { codec: 'h265', config, frames, width, height, fps };
}

/** Groups Annex B NAL units into access units at each AUD; parameter sets go to the hvcC, not the samples. */
export function hevcAccessUnits(nals: readonly Buffer[]): { config: Buffer; accessUnits: Buffer[][] } {
  const sets = { vps: [] as Buffer[], sps: [] as Buffer[], pps: [] as Buffer[] };
  const accessUnits: Buffer[][] = [];
  let current: Buffer[] | undefined;
  for (const nal of nals) {
    const type = hevcNalType(nal);
    if (type === HevcNalType.AccessUnitDelimiter || current === undefined) {
      current = [];
      accessUnits.push(current);
      if (type === HevcNalType.AccessUnitDelimiter) continue;
    }
    const list = type === HevcNalType.Vps ? sets.vps : type === HevcNalType.Sps ? sets.sps : type === HevcNalType.Pps ? sets.pps : undefined;
    if (list === undefined) current.push(nal);
    else if (!list.some((known) => known.equals(nal))) list.push(nal);
  }
  return { config: buildHevcDecoderConfig(sets), accessUnits: accessUnits.filter((au) => au.length > 0) };
}

/** An AV1 clip from libaom (realtime, timing info in the sequence header, a keyframe every second), as av1C + temporal units. */
export async function makeAv1Clip(options: CodedClipOptions = {}): Promise<CodedClip> {
  const { seconds = 2, width = 640, height = 360, fps = 30 } = options;
  const file = await encodeOnce(`av1-${width}x${height}-${fps}-${seconds}.ivf`, [
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`, '-t', String(seconds),
    '-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-g', String(fps), '-keyint_min', String(fps),
    '-aom-params', 'timing-info=constant', '-pix_fmt', 'yuv420p', '-f', 'ivf',
  ]);
  const ivf = readIvf(await readFile(file));
  let config: Buffer | undefined;
  const frames = ivf.frames.map((tu) => {
    const obus = readObus(tu);
    const header = obus.find((o) => o.type === Av1ObuType.SequenceHeader);
    config ??= header && buildAv1CodecConfig(header.bytes);
    // E-RTMP carries AV1 as in ISOBMFF samples (AV1-ISOBMFF §2.4): temporal delimiters are dropped
    const data = Buffer.concat(obus.filter((o) => o.type !== Av1ObuType.TemporalDelimiter).map((o) => o.bytes));
    return { data, keyframe: isAv1KeyFrame(obus) };
  });
  if (config === undefined) throw new Error(`${file} has no sequence header`);
  return { codec: 'av1', config, frames, width: ivf.width, height: ivf.height, fps };
}

/** True when the first frame (header) OBU codes a KEY_FRAME (AV1 §5.9.2: show_existing_frame 0, frame_type 0). */
export function isAv1KeyFrame(obus: readonly Av1Obu[]): boolean {
  const frame = obus.find((o) => o.type === Av1ObuType.Frame || o.type === Av1ObuType.FrameHeader);
  const first = frame?.payload[0];
  return first !== undefined && (first & 0xe0) === 0;
}

/** An IVF file: its FourCC, size and frames (each an AV1 temporal unit). */
export interface IvfFile {
  fourCc: string;
  width: number;
  height: number;
  frames: Buffer[];
}

/** Reads IVF: a 32-byte "DKIF" header, then frames with 12-byte headers (size u32le, pts u64le). */
export function readIvf(bytes: Buffer): IvfFile {
  if (bytes.toString('latin1', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const frames: Buffer[] = [];
  let pos = bytes.readUInt16LE(6);
  while (pos + 12 <= bytes.length) {
    const size = bytes.readUInt32LE(pos);
    frames.push(bytes.subarray(pos + 12, pos + 12 + size));
    pos += 12 + size;
  }
  return { fourCc: bytes.toString('latin1', 8, 12), width: bytes.readUInt16LE(12), height: bytes.readUInt16LE(14), frames };
}

/** Writes AV1 temporal units as IVF at `fps`, putting back the temporal delimiter each unit starts with (AV1 §7.5). */
export function writeAv1Ivf(units: readonly Buffer[], width: number, height: number, fps: number): Buffer {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'latin1');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write('AV01', 8, 'latin1');
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(fps, 16); // time base denominator
  header.writeUInt32LE(1, 20); // numerator
  header.writeUInt32LE(units.length, 24);
  const temporalDelimiter = Buffer.from([0x12, 0x00]);
  const parts: Buffer[] = [header];
  units.forEach((unit, i) => {
    const frameHeader = Buffer.alloc(12);
    frameHeader.writeUInt32LE(temporalDelimiter.length + unit.length, 0);
    frameHeader.writeBigUInt64LE(BigInt(i), 4);
    parts.push(frameHeader, temporalDelimiter, unit);
  });
  return Buffer.concat(parts);
}
