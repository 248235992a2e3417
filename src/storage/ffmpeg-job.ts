import { spawn } from 'node:child_process';
import { FfmpegJobError } from './errors.js';

/** Options of runFfmpeg. */
export interface FfmpegJobOptions {
  ffmpegPath: string;
  /** What the job is, for errors and logs: `thumbnail`, `watermark`. */
  job: string;
  /** Bytes written to the child's stdin (then closed). */
  stdin?: Buffer;
  /** Killed (SIGKILL) after this long; default 60 s. */
  timeoutMs?: number;
}

/** Runs ffmpeg to completion; rejects with FfmpegJobError (carrying the end of stderr) on failure. */
export function runFfmpeg(args: readonly string[], options: FfmpegJobOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.ffmpegPath, ['-hide_banner', ...(options.stdin !== undefined ? [] : ['-nostdin']), ...args], {
      stdio: [options.stdin !== undefined ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new FfmpegJobError(options.job, err.message, { cause: err }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new FfmpegJobError(options.job, stderr || `exit ${code ?? signal ?? 'unknown'}`));
    });
    if (options.stdin !== undefined && child.stdin !== null) {
      // a child that exits early closes the pipe: its exit code tells what happened, not EPIPE
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin);
    }
  });
}
