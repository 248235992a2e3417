import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { applyWatermark } from './apply-watermark.js';
import { trimFlv } from './flv-finalizer.js';
import { finaliseMp4 } from './mp4-finalizer.js';
import type { RecordingFormat } from './part-writer.js';
import type { RecordingCatalog } from './recording-catalog.js';
import { fileKey, type RecordingFile, type RecordingMetadata, type RecordingThumbnail } from './recording-metadata.js';
import { contentTypeOf } from './storage.js';
import type { PartManifest } from './stream-recording.js';
import type { Watermark } from './watermark.js';

/** A part whose temp files are complete (or salvaged), ready to become a stored recording. */
export interface PartToFinalise {
  manifest: PartManifest;
  endedAtMs: number;
  files: { format: RecordingFormat; path: string }[];
  thumbnails: RecordingThumbnail[];
  status: RecordingMetadata['status'];
}

/** What finalising needs. */
export interface FinaliseContext {
  catalog: RecordingCatalog;
  tempDir: string;
  /** Re-encode MP4 recordings with this watermark. */
  watermark?: { watermark: Watermark; ffmpegPath: string; preset?: string };
}

/**
 * Turns a part's temp files into a stored recording: the fragmented MP4 becomes a progressive MP4
 * (watermarked if asked), a cut FLV is trimmed to its last whole tag, both are uploaded, the
 * metadata is stored last (a recording is listed only once its files are there), and every temp
 * file of the part is removed. A part with no usable file throws; its temp files are then kept.
 */
export async function finalisePart(part: PartToFinalise, ctx: FinaliseContext): Promise<RecordingMetadata> {
  const { manifest } = part;
  const id = manifest.id;
  const storage = ctx.catalog.storage;
  const uploads: { format: RecordingFormat; path: string }[] = [];
  let durationMs: number | undefined;
  const problems: string[] = [];
  for (const file of part.files) {
    try {
      if (file.format === 'mp4') {
        const out = join(ctx.tempDir, `${id}.mp4`);
        const done = await finaliseMp4(file.path, out);
        durationMs = done.durationMs;
        if (ctx.watermark !== undefined) {
          const marked = join(ctx.tempDir, `${id}.wm.mp4`);
          await applyWatermark(out, marked, { ffmpegPath: ctx.watermark.ffmpegPath, watermark: ctx.watermark.watermark, ...(ctx.watermark.preset !== undefined ? { preset: ctx.watermark.preset } : {}) });
          uploads.push({ format: 'mp4', path: marked });
        } else {
          uploads.push({ format: 'mp4', path: out });
        }
      } else {
        const info = await trimFlv(file.path);
        if (info.lastTimestampMs > 0 || info.bytes > 13) uploads.push({ format: 'flv', path: file.path });
        durationMs ??= info.lastTimestampMs;
      }
    } catch (err) {
      problems.push(`${file.format}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (uploads.length === 0) throw new Error(`recording ${id} has no usable file (${problems.join('; ') || 'none written'})`);
  const files: RecordingFile[] = [];
  for (const u of uploads) {
    const key = fileKey(id, u.format);
    const contentType = contentTypeOf(key);
    const stored = await storage.put(key, createReadStream(u.path), { contentType });
    files.push({ format: u.format, key, bytes: stored.size, contentType });
  }
  const meta: RecordingMetadata = {
    id,
    streamId: manifest.streamId,
    part: manifest.part,
    status: part.status,
    startedAt: new Date(manifest.startedAtMs).toISOString(),
    endedAt: new Date(part.endedAtMs).toISOString(),
    durationMs: durationMs ?? 0,
    bytes: files.reduce((t, f) => t + f.bytes, 0),
    video: manifest.video !== null ? pick(manifest.video, ['codec', 'codecString', 'width', 'height', 'fps']) : null,
    audio: manifest.audio !== null ? pick(manifest.audio, ['codec', 'codecString', 'sampleRate', 'channels']) : null,
    files,
    thumbnails: part.thumbnails,
    watermarked: ctx.watermark !== undefined && files.some((f) => f.format === 'mp4'),
  };
  await ctx.catalog.save(meta);
  await removeTempFiles(ctx.tempDir, id);
  return meta;
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (value[k] !== undefined) out[k] = value[k];
  return out;
}

/** Every temp file a part may leave, by suffix. */
const TEMP_SUFFIXES = ['.mp4.part', '.flv.part', '.mp4', '.mp4.tmp', '.wm.mp4', '.recording.json', '.thumbs.jsonl'];

async function removeTempFiles(dir: string, id: string): Promise<void> {
  await Promise.all(TEMP_SUFFIXES.map((s) => rm(join(dir, id + s), { force: true })));
}

/** Parts a crash left in the temp folder (a manifest without a stored recording), rebuilt for finalisePart. */
export async function findInterruptedParts(tempDir: string, activeIds: ReadonlySet<string>): Promise<PartToFinalise[]> {
  let names: string[];
  try {
    names = await readdir(tempDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parts: PartToFinalise[] = [];
  for (const name of names.filter((n) => n.endsWith('.recording.json'))) {
    const manifest = JSON.parse(await readFile(join(tempDir, name), 'utf8')) as PartManifest;
    if (activeIds.has(manifest.id)) continue;
    const files: PartToFinalise['files'] = [];
    let endedAtMs = manifest.startedAtMs;
    for (const format of manifest.formats) {
      const path = join(tempDir, `${manifest.id}.${format}.part`);
      const s = await stat(path).catch(() => undefined);
      if (s === undefined) continue;
      files.push({ format, path });
      endedAtMs = Math.max(endedAtMs, s.mtimeMs);
    }
    const thumbs = await readFile(join(tempDir, `${manifest.id}.thumbs.jsonl`), 'utf8').catch(() => '');
    const thumbnails = thumbs
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as RecordingThumbnail];
        } catch {
          return []; // the last line may be cut by the crash
        }
      });
    parts.push({ manifest, endedAtMs: Math.round(endedAtMs), files, thumbnails, status: 'recovered' });
  }
  return parts;
}
