import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import {
  buildProgressiveHeader,
  planDefragment,
  readInitTracks,
  readMoofRuns,
  trackMediaTicks,
  type InitTrack,
  type PayloadRange,
  type TrackRun,
} from '../media/index.js';

/** What finaliseMp4 wrote. */
export interface FinalisedMp4 {
  path: string;
  bytes: number;
  /** Longest track, including its start offset, in ms. */
  durationMs: number;
  /** Samples per track handler (`vide`, `soun`). */
  samples: Record<string, number>;
  /** Bytes at the end of the fragmented file that did not form a whole fragment (a crash). */
  droppedBytes: number;
}

// a moof is a few KiB; anything far larger is not one of ours
const MAX_MOOF = 64 * 1024 * 1024;

/**
 * Rewrites a fragmented MP4 (what the recorder writes while live) as a progressive MP4 with the
 * moov before the mdat, at `output` (written to a temp name, then renamed). A truncated tail, as a
 * crash leaves it, is dropped: everything up to the last complete fragment is kept. Throws when
 * the file holds no init segment or no complete fragment.
 */
export async function finaliseMp4(input: string, output: string): Promise<FinalisedMp4> {
  const scan = await scanFragmented(input);
  const plan = planDefragment(scan.init, scan.runs, scan.payloads);
  if (plan.tracks.length === 0) throw new Error('no complete fragment to keep');
  const header = buildProgressiveHeader(plan.tracks, plan.payloadBytes);
  const temp = `${output}.tmp`;
  try {
    await writeProgressive(input, temp, header, plan.copies);
    await rename(temp, output);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const durationMs = Math.max(...plan.tracks.map((t) => ((t.startTicks + trackMediaTicks(t)) * 1000) / t.info.timescale));
  const samples: Record<string, number> = {};
  for (const t of plan.tracks) samples[t.info.handler] = t.samples.length;
  return { path: output, bytes: header.length + plan.payloadBytes, durationMs: Math.round(durationMs), samples, droppedBytes: scan.droppedBytes };
}

interface Scan {
  init: InitTrack[];
  runs: TrackRun[];
  payloads: PayloadRange[];
  droppedBytes: number;
}

/** Walks the top-level boxes, reading moov and moofs, noting mdat payloads; stops at the first incomplete box. */
async function scanFragmented(path: string): Promise<Scan> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    let init: InitTrack[] | undefined;
    const runs: TrackRun[] = [];
    const payloads: PayloadRange[] = [];
    let pendingRuns: TrackRun[] = [];
    let pos = 0;
    let lastGood = 0;
    const header = Buffer.alloc(16);
    while (pos + 8 <= size) {
      await readExactly(handle, header, 8, pos);
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      let headerSize = 8;
      if (boxSize === 1) {
        if (pos + 16 > size) break;
        await readExactly(handle, header, 16, pos);
        boxSize = Number(header.readBigUInt64BE(8));
        headerSize = 16;
      }
      if (boxSize < headerSize || pos + boxSize > size) break;
      if (type === 'moov') {
        init = readInitTracks(await readBox(handle, pos, boxSize));
      } else if (type === 'moof') {
        if (boxSize > MAX_MOOF) break;
        pendingRuns = readMoofRuns(await readBox(handle, pos, boxSize), pos);
      } else if (type === 'mdat') {
        payloads.push({ start: pos + headerSize, end: pos + boxSize });
        // a moof counts only once its mdat is complete
        runs.push(...pendingRuns);
        pendingRuns = [];
      }
      pos += boxSize;
      lastGood = pos;
    }
    if (init === undefined) throw new Error(`${path} has no init segment (moov)`);
    return { init, runs, payloads, droppedBytes: size - lastGood };
  } finally {
    await handle.close();
  }
}

const COPY_CHUNK = 1024 * 1024;

/** Writes the header, then copies each payload range of `input`, a MiB at a time, and syncs. */
async function writeProgressive(input: string, output: string, header: Buffer, copies: readonly PayloadRange[]): Promise<void> {
  const src = await open(input, 'r');
  const dst = await open(output, 'w');
  try {
    await dst.write(header);
    const chunk = Buffer.allocUnsafe(COPY_CHUNK);
    for (const range of copies) {
      for (let pos = range.start; pos < range.end; ) {
        const length = Math.min(COPY_CHUNK, range.end - pos);
        await readExactly(src, chunk, length, pos);
        await dst.write(chunk, 0, length);
        pos += length;
      }
    }
    await dst.datasync();
  } finally {
    await src.close();
    await dst.close();
  }
}

async function readBox(handle: FileHandle, pos: number, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(size);
  await readExactly(handle, buf, size, pos);
  return buf;
}

async function readExactly(handle: FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new Error('unexpected end of file');
    done += bytesRead;
  }
}
