import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Logger } from '../base/index.js';
import { Stream, type StreamOptions } from '../hub/index.js';
import { buildFlvFileHeader, FlvDemuxer, flvTagOf, parseFlvAudioBody, parseFlvVideoBody, type HubFrame } from '../media/index.js';
import { transcoderArgs, type LadderOptions, type RenditionSpec } from './ladder.js';
import { processCpuMs } from './process-cpu.js';

// A transcoder that cannot take input this fast is skipped to the next keyframe, never waited for.
const MAX_STDIN_BACKLOG = 8 * 1024 * 1024;
// Running this long without a crash resets the restart delay.
const STABLE_MS = 30_000;

export interface TranscoderEvents {
  restarted: [restarts: number];
}

/**
 * One ABR rendition made by an ffmpeg child: source frames go in as FLV on stdin, the rendition
 * comes back as FLV on stdout into a derived hub Stream. A crash restarts it with backoff; the
 * source never waits for it.
 */
export class Transcoder extends EventEmitter<TranscoderEvents> {
  readonly output: Stream;
  restarts = 0;
  /** CPU the ffmpeg child used over the last sampling interval, in percent of one core. */
  cpuPercent = 0;
  private child: ChildProcessWithoutNullStreams | undefined;
  private detachSource: (() => void) | undefined;
  private stopped = false;
  private restartDelay: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private cpuTimer: NodeJS.Timeout | undefined;
  private lastCpu: { at: number; ms: number } | undefined;
  private startedAt = 0;
  private skippingToKeyframe = false;

  constructor(
    readonly spec: RenditionSpec,
    private readonly options: LadderOptions,
    private readonly source: Stream,
    streamOptions: StreamOptions,
    private readonly log: Logger,
  ) {
    super();
    this.output = new Stream(`${source.id}/${spec.name}`, { protocol: 'transcoder' }, streamOptions);
    this.output.transition('STARTING');
    this.restartDelay = options.minRestartMs;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stopped) return;
    const args = transcoderArgs(this.spec, this.options);
    // -copyts keeps the source's timeline, so every rendition's segments line up with the source's.
    args.splice(args.indexOf('-f'), 0, '-copyts');
    const child = spawn(this.options.ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = Date.now();
    this.lastCpu = undefined;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => this.log.error({ err, rendition: this.spec.name }, 'cannot run ffmpeg for a rendition'));
    const demuxer = new FlvDemuxer();
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        for (const tag of demuxer.push(chunk)) this.onOutputTag(tag.type, tag.timestamp, tag.body);
      } catch (err) {
        this.log.warn({ err, rendition: this.spec.name }, 'unreadable transcoder output; restarting it');
        child.kill('SIGKILL');
      }
    });
    child.once('exit', (code, signal) => this.onExit(child, code, signal, stderr));
    this.feed(child);
    this.cpuTimer ??= setInterval(() => void this.sampleCpu(), 2000);
    this.cpuTimer.unref();
  }

  /** Stops for good: the child is ended and the derived stream ends. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.cpuTimer);
    this.detachSource?.();
    const child = this.child;
    if (child !== undefined && child.exitCode === null) {
      child.stdin.end();
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }
    this.output.end('stopped');
  }

  private feed(child: ChildProcessWithoutNullStreams): void {
    this.detachSource?.();
    child.stdin.write(buildFlvFileHeader({ audio: this.source.audio !== undefined || this.source.video === undefined, video: true }));
    // Start from the cached GOP so the rendition starts at once, then follow the live frames.
    for (const f of this.source.startupFrames()) this.write(child, f);
    this.detachSource = this.source.addFrameListener((f) => this.write(child, f));
  }

  private write(child: ChildProcessWithoutNullStreams, frame: HubFrame): void {
    if (child.stdin.destroyed) return;
    if (frame.kind === 'video' && !frame.config) {
      if (child.stdin.writableLength > MAX_STDIN_BACKLOG) this.skippingToKeyframe = true;
      if (this.skippingToKeyframe) {
        if (!frame.keyframe || child.stdin.writableLength > MAX_STDIN_BACKLOG / 2) return;
        this.skippingToKeyframe = false;
      }
    }
    child.stdin.write(flvTagOf(frame));
  }

  private onOutputTag(type: number, timestamp: number, body: Buffer): void {
    if (type === 8 || type === 9) {
      const frame = type === 9 ? parseFlvVideoBody(body, timestamp) : parseFlvAudioBody(body, timestamp);
      if (frame !== null && this.output.state !== 'ENDED') this.output.push(frame);
    }
  }

  private onExit(child: ChildProcessWithoutNullStreams, code: number | null, signal: NodeJS.Signals | null, stderr: string): void {
    if (this.child === child) this.detachSource?.();
    if (this.stopped) return;
    if (Date.now() - this.startedAt > STABLE_MS) this.restartDelay = this.options.minRestartMs;
    this.restarts++;
    this.log.warn({ rendition: this.spec.name, stream_id: this.source.id, code, signal, stderr: stderr.trim().slice(-500), retry_ms: this.restartDelay }, 'transcoder exited; restarting');
    this.restartTimer = setTimeout(() => {
      this.emit('restarted', this.restarts);
      this.start();
    }, this.restartDelay);
    this.restartTimer.unref();
    this.restartDelay = Math.min(this.restartDelay * 2, this.options.maxRestartMs);
  }

  private async sampleCpu(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    const ms = await processCpuMs(pid);
    if (ms === undefined) return;
    const now = performance.now();
    if (this.lastCpu !== undefined && now > this.lastCpu.at) this.cpuPercent = Math.round(((ms - this.lastCpu.ms) / (now - this.lastCpu.at)) * 1000) / 10;
    this.lastCpu = { at: now, ms };
  }
}
