import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../base/index.js';
import { buildAudioSpecificConfig, opusPacketSamples, type MediaFrame } from '../../media/index.js';
import { OggOpusWriter } from './ogg-page-writer.js';
import { ffmpegPipeInput } from './ffmpeg-pipe-input.js';

const AAC_SAMPLES_PER_FRAME = 1024;
const SAMPLE_RATE = 48_000;

/**
 * Transcodes a WHIP publisher's Opus to AAC-LC with an ffmpeg child, so HLS, RTMP and FLV viewers
 * hear it: Ogg Opus in, ADTS out. Frames are timed from the first Opus packet plus the samples
 * produced (1024 per AAC frame), which keeps them on the video's timeline without drift.
 */
export class OpusToAac {
  private child: ChildProcess | undefined;
  private readonly ogg = new OggOpusWriter();
  private startMs: number | undefined;
  private frames = 0;
  private pending: Buffer = Buffer.alloc(0);
  private configSent = false;
  private closed = false;

  constructor(
    private readonly ffmpegPath: string,
    private readonly push: (frame: MediaFrame) => void,
    private readonly log: Logger,
  ) {}

  /** One Opus packet at `ms` on the stream's timeline. */
  write(packet: Buffer, ms: number): void {
    if (this.closed) return;
    let samples: number;
    try {
      samples = opusPacketSamples(packet);
    } catch {
      return;
    }
    const child = this.child ?? this.spawn();
    if (this.startMs === undefined) {
      this.startMs = ms;
      child.stdin?.write(this.ogg.headers(2));
      // ffmpeg answers only after about a second, but what it will send is fixed (AAC-LC, 48 kHz,
      // stereo): say so now, so HLS and recordings start with an audio track instead of without one
      this.sendConfig(ms);
    }
    child.stdin?.write(this.ogg.packet(packet, samples));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.child?.stdin?.destroy();
    this.child?.kill('SIGKILL');
  }

  private spawn(): ChildProcess {
    const child = spawn(this.ffmpegPath, [
      ...ffmpegPipeInput('ogg'),
      '-c:a', 'aac', '-b:a', '128k', '-ar', String(SAMPLE_RATE), '-ac', '2',
      '-f', 'adts', '-flush_packets', '1', 'pipe:1',
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.on('error', (err) => this.log.warn({ err: err.message }, 'ffmpeg for Opus → AAC failed to start'));
    child.stdin?.on('error', () => undefined);
    child.stderr?.on('data', (d: Buffer) => this.log.debug({ ffmpeg: d.toString().trim() }, 'ffmpeg says'));
    child.stdout?.on('data', (chunk: Buffer) => this.onAdts(chunk));
    child.on('exit', (code) => {
      if (!this.closed) this.log.warn({ code }, 'ffmpeg for Opus → AAC exited');
    });
    return child;
  }

  private onAdts(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let pos = 0;
    // ISO 14496-3 §1.A.2: 12-bit sync word, frame length in 13 bits spanning bytes 3..5
    while (this.pending.length - pos >= 7) {
      if (this.pending[pos] !== 0xff || ((this.pending[pos + 1] as number) & 0xf0) !== 0xf0) {
        pos++;
        continue;
      }
      const protectionAbsent = ((this.pending[pos + 1] as number) & 0x01) === 1;
      const length = (((this.pending[pos + 3] as number) & 0x03) << 11) | ((this.pending[pos + 4] as number) << 3) | ((this.pending[pos + 5] as number) >> 5);
      const headerLength = protectionAbsent ? 7 : 9;
      if (length < headerLength) {
        pos++;
        continue;
      }
      if (this.pending.length - pos < length) break;
      this.emit(Buffer.from(this.pending.subarray(pos + headerLength, pos + length)));
      pos += length;
    }
    this.pending = this.pending.subarray(pos);
  }

  /** Announces the AAC track now (its format is fixed), before the first packet: HLS then starts with audio. */
  announce(ms: number): void {
    this.sendConfig(ms);
  }

  private sendConfig(ms: number): void {
    if (this.configSent) return;
    this.configSent = true;
    this.push({ kind: 'audio', codec: 'aac', dts: ms, pts: ms, keyframe: false, config: true, data: buildAudioSpecificConfig({ objectType: 2, sampleRate: SAMPLE_RATE, channels: 2 }) });
  }

  private emit(data: Buffer): void {
    const ms = Math.round((this.startMs ?? 0) + (this.frames * AAC_SAMPLES_PER_FRAME * 1000) / SAMPLE_RATE);
    this.frames++;
    this.sendConfig(ms);
    this.push({ kind: 'audio', codec: 'aac', dts: ms, pts: ms, keyframe: false, config: false, data });
  }
}
