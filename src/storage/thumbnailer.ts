import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildFlvBody, buildFlvFileHeader, buildFlvTag, FlvTagType, type MediaFrame } from '../media/index.js';
import { runFfmpeg } from './ffmpeg-job.js';

/** A thumbnail size; the picture is scaled to exactly this size. */
export interface ThumbnailSize {
  width: number;
  height: number;
}

/** Image formats thumbnails are made in. */
export type ThumbnailFormat = 'jpg' | 'webp';

/** One made thumbnail. */
export interface Thumbnail {
  format: ThumbnailFormat;
  width: number;
  height: number;
  data: Buffer;
}

/** Options of Thumbnailer. */
export interface ThumbnailerOptions {
  ffmpegPath: string;
  sizes: readonly ThumbnailSize[];
  formats: readonly ThumbnailFormat[];
  /** Folder for ffmpeg's output files (removed after each capture). */
  tempDir: string;
  timeoutMs?: number;
}

/**
 * Decodes one keyframe into thumbnails with an ffmpeg child: the keyframe and its decoder config
 * are fed as a two-tag FLV on stdin, and every size × format is one output of the same run.
 * Only H.264 (what ffmpeg's FLV demuxer reads without Enhanced RTMP) is supported.
 */
export class Thumbnailer {
  constructor(private readonly options: ThumbnailerOptions) {}

  /** True for the codecs `capture` can decode. */
  static supports(codec: string): boolean {
    return codec === 'h264';
  }

  async capture(config: MediaFrame, keyframe: MediaFrame): Promise<Thumbnail[]> {
    const flv = Buffer.concat([
      buildFlvFileHeader({ audio: false, video: true }),
      buildFlvTag(FlvTagType.Video, 0, buildFlvBody({ ...config, dts: 0, pts: 0 })),
      buildFlvTag(FlvTagType.Video, 0, buildFlvBody({ ...keyframe, dts: 0, pts: 0 })),
    ]);
    const dir = await mkdtemp(join(this.options.tempDir, 'thumb-'));
    try {
      const outputs: string[] = [];
      const made: Omit<Thumbnail, 'data'>[] = [];
      for (const size of this.options.sizes) {
        for (const format of this.options.formats) {
          const file = join(dir, `${size.width}x${size.height}.${format}`);
          const codec = format === 'jpg' ? ['-c:v', 'mjpeg', '-q:v', '4', '-pix_fmt', 'yuvj420p'] : ['-c:v', 'libwebp', '-quality', '75'];
          outputs.push('-map', '0:v', '-frames:v', '1', '-vf', `scale=${size.width}:${size.height}`, ...codec, '-f', 'image2', '-update', '1', file);
          made.push({ format, width: size.width, height: size.height });
        }
      }
      await runFfmpeg(['-v', 'error', '-f', 'flv', '-i', 'pipe:0', ...outputs], {
        ffmpegPath: this.options.ffmpegPath,
        job: 'thumbnail',
        stdin: flv,
        timeoutMs: this.options.timeoutMs ?? 15_000,
      });
      const out: Thumbnail[] = [];
      for (const m of made) out.push({ ...m, data: await readFile(join(dir, `${m.width}x${m.height}.${m.format}`)) });
      return out;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
