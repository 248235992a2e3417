import { runFfmpeg } from './ffmpeg-job.js';
import { buildWatermarkFilter, type Watermark } from './watermark.js';

/** Options of applyWatermark. */
export interface ApplyWatermarkOptions {
  ffmpegPath: string;
  watermark: Watermark;
  /** x264 preset of the re-encode; default veryfast. */
  preset?: string;
  /** x264 constant rate factor; default 20 (visually close to the source). */
  crf?: number;
  timeoutMs?: number;
}

/**
 * Re-encodes a finished MP4 recording with the watermark over its video (audio is copied), into a
 * progressive MP4 with the index first. A watermark needs new pictures, so it costs one encode.
 */
export async function applyWatermark(input: string, output: string, options: ApplyWatermarkOptions): Promise<void> {
  const filter = buildWatermarkFilter(options.watermark);
  await runFfmpeg(
    [
      '-v', 'error', '-y', '-i', input, ...filter.inputs,
      '-filter_complex', filter.filterComplex,
      '-map', `[${filter.outputLabel}]`, '-map', '0:a?',
      '-c:v', 'libx264', '-preset', options.preset ?? 'veryfast', '-crf', String(options.crf ?? 20), '-pix_fmt', 'yuv420p',
      '-c:a', 'copy', '-movflags', '+faststart', '-f', 'mp4', output,
    ],
    { ffmpegPath: options.ffmpegPath, job: 'watermark', timeoutMs: options.timeoutMs ?? 30 * 60_000 },
  );
}
