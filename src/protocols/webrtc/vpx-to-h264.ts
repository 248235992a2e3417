import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../base/index.js';
import { FlvDemuxer, parseFlvVideoBody, type MediaFrame } from '../../media/index.js';
import { ffmpegPipeInput } from './ffmpeg-pipe-input.js';

/** A VP8 or VP9 frame as the depacketizers give it. */
export interface VpxFrame {
  data: Buffer;
  keyframe: boolean;
}

/**
 * Turns a WHIP publisher's VP8 or VP9 into H.264 for the hub (HLS, RTMP, FLV, recording and WHEP all
 * carry H.264) with an ffmpeg child: IVF in, FLV out. Timestamps travel through unchanged (ms on
 * the stream's timeline), so the audio transcoded beside it stays in sync. Output keyframes follow
 * the publisher's keyframes.
 */
export class VpxToH264 {
  private child: ChildProcess | undefined;
  private readonly demuxer = new FlvDemuxer();
  private closed = false;

  constructor(
    private readonly codec: 'vp8' | 'vp9',
    private readonly ffmpegPath: string,
    private readonly push: (frame: MediaFrame) => void,
    private readonly log: Logger,
  ) {}

  /** One frame at `ms`; ffmpeg starts at the first keyframe (a decoder cannot start elsewhere). */
  write(frame: VpxFrame, ms: number): void {
    if (this.closed) return;
    if (this.child === undefined) {
      if (!frame.keyframe) return;
      // VP8 says its size in the keyframe header; VP9 decoders take it from the bitstream alone
      const size = this.codec === 'vp8' ? vp8KeyframeSize(frame) : { width: 0, height: 0 };
      if (size === undefined) return;
      this.child = this.spawn();
      this.child.stdin?.write(ivfHeader(this.codec === 'vp8' ? 'VP80' : 'VP90', size.width, size.height));
    }
    const header = Buffer.alloc(12);
    header.writeUInt32LE(frame.data.length, 0);
    header.writeBigUInt64LE(BigInt(Math.max(0, Math.round(ms))), 4);
    this.child.stdin?.write(header);
    this.child.stdin?.write(frame.data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.child?.stdin?.destroy();
    this.child?.kill('SIGKILL');
  }

  private spawn(): ChildProcess {
    const child = spawn(this.ffmpegPath, [
      ...ffmpegPipeInput('ivf'),
      '-map', '0:v:0', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
      '-crf', '23', '-maxrate', '4000k', '-bufsize', '8000k', '-bf', '0', '-g', '120', '-force_key_frames', 'source',
      '-copyts', '-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1',
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.on('error', (err) => this.log.warn({ err: err.message, codec: this.codec }, 'ffmpeg for VP8/VP9 → H.264 failed to start'));
    child.stdin?.on('error', () => undefined);
    child.stderr?.on('data', (d: Buffer) => this.log.debug({ ffmpeg: d.toString().trim() }, 'ffmpeg says'));
    child.stdout?.on('data', (chunk: Buffer) => {
      try {
        for (const tag of this.demuxer.push(chunk)) {
          if (tag.type !== 9) continue;
          const frame = parseFlvVideoBody(tag.body, tag.timestamp);
          if (frame !== null && !this.closed) this.push(frame);
        }
      } catch (err) {
        this.log.warn({ err, codec: this.codec }, 'unreadable VP8/VP9 → H.264 output');
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code) => {
      if (!this.closed) this.log.warn({ code, codec: this.codec }, 'ffmpeg for VP8/VP9 → H.264 exited');
    });
    return child;
  }
}

/** RFC 6386 §9.1: a keyframe's tag is followed by the start code 9d 01 2a and the 14-bit width and height. */
function vp8KeyframeSize(frame: VpxFrame): { width: number; height: number } | undefined {
  const d = frame.data;
  if (!frame.keyframe || d.length < 10 || d[3] !== 0x9d || d[4] !== 0x01 || d[5] !== 0x2a) return undefined;
  return { width: d.readUInt16LE(6) & 0x3fff, height: d.readUInt16LE(8) & 0x3fff };
}

/** The 32-byte IVF file header with a millisecond time base. */
function ivfHeader(fourcc: 'VP80' | 'VP90', width: number, height: number): Buffer {
  const h = Buffer.alloc(32);
  h.write('DKIF', 0, 'ascii');
  h.writeUInt16LE(0, 4);
  h.writeUInt16LE(32, 6);
  h.write(fourcc, 8, 'ascii');
  h.writeUInt16LE(width, 12);
  h.writeUInt16LE(height, 14);
  h.writeUInt32LE(1000, 16);
  h.writeUInt32LE(1, 20);
  return h;
}
