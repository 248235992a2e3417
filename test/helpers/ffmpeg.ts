import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { requireBinary } from './peers.js';

const run = promisify(execFile);

/** A running ffmpeg child; `stop()` ends it (SIGTERM, then SIGKILL) and resolves with its exit code. */
export interface FfmpegProcess {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Spawns ffmpeg under `timeout -k 3` so a stalled child can never outlive its test by long. */
export function spawnFfmpeg(args: readonly string[], maxSeconds = 60): FfmpegProcess {
  requireBinary('ffmpeg');
  const child = spawn('timeout', ['-k', '3', String(maxSeconds), 'ffmpeg', '-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 100_000) err = err.slice(-50_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => err,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      return exited;
    },
  };
}

/**
 * Publishes a clip in a loop to an RTMP URL, in real time by default (what OBS would do).
 * The cap only guards against a leaked child: a publisher shared by a whole describe block
 * must outlive every test in it on a slow, busy machine, so it is generous.
 */
export function publishClip(clip: string, url: string, maxSeconds = 300, readRate = 1): FfmpegProcess {
  return spawnFfmpeg(['-v', 'error', '-readrate', String(readRate), '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', url], maxSeconds);
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  nb_read_frames?: string;
}

/** Runs ffprobe on a URL or file and returns its streams. */
export async function probe(input: string, extra: readonly string[] = []): Promise<ProbedStream[]> {
  requireBinary('ffprobe');
  const { stdout } = await run('timeout', ['-k', '2', '20', 'ffprobe', '-v', 'error', '-rw_timeout', '5000000', '-print_format', 'json', '-show_streams', ...extra, input], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { streams: ProbedStream[] }).streams;
}

/** Frames per second from ffprobe's "30/1" form. */
export function rate(r: string | undefined): number {
  const [n, d] = (r ?? '0/1').split('/').map(Number);
  return d ? (n as number) / d : 0;
}
