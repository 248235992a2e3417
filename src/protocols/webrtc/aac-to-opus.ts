import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../base/index.js';
import type { Stream } from '../../hub/index.js';
import { buildAdtsHeader, opusPacketSamples, parseAudioSpecificConfig, type AudioSpecificConfig, type HubFrame } from '../../media/index.js';
import { OggPacketReader } from './ogg-packet-reader.js';
import type { OpusPacket, OpusSource } from './opus-source.js';
import { ffmpegPipeInput } from './ffmpeg-pipe-input.js';

/**
 * Transcodes a stream's AAC to Opus with an ffmpeg child, for WebRTC viewers of an RTMP stream:
 * AAC frames go in as ADTS, Ogg Opus comes out. Output packets are timed from the first AAC frame
 * plus the samples produced, so audio stays on the video's timeline without drift.
 */
export class AacToOpus implements OpusSource {
  private child: ChildProcess | undefined;
  private config: AudioSpecificConfig | undefined;
  private startMs: number | undefined;
  private samples = 0;
  private headersSeen = 0;
  private readonly listeners = new Set<(packet: OpusPacket) => void>();
  private readonly reader = new OggPacketReader();
  private readonly untap: () => void;
  private closed = false;

  constructor(
    stream: Stream,
    private readonly ffmpegPath: string,
    private readonly log: Logger,
  ) {
    for (const f of stream.startupFrames()) if (f.kind === 'audio' && f.config) this.noteConfig(f.data);
    this.untap = stream.addFrameListener((f) => this.onFrame(f));
  }

  /** Calls `listener` with every Opus packet from now on; returns a function that stops it. */
  subscribe(listener: (packet: OpusPacket) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.untap();
    this.listeners.clear();
    this.child?.stdin?.destroy();
    this.child?.kill('SIGKILL');
  }

  private noteConfig(data: Buffer): void {
    try {
      this.config = parseAudioSpecificConfig(data);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'unreadable AAC config: no audio for WebRTC viewers');
    }
  }

  private onFrame(frame: HubFrame): void {
    if (this.closed || frame.kind !== 'audio' || frame.codec !== 'aac') return;
    if (frame.config) {
      this.noteConfig(frame.data);
      return;
    }
    if (this.config === undefined) return;
    const child = this.child ?? this.spawn();
    if (this.startMs === undefined) this.startMs = frame.pts;
    child.stdin?.write(Buffer.concat([buildAdtsHeader(this.config, frame.data.length), frame.data]));
  }

  private spawn(): ChildProcess {
    // low-latency settings: no probing delay, 20 ms Opus frames, one Ogg page per packet
    const child = spawn(this.ffmpegPath, [
      ...ffmpegPipeInput('aac'),
      '-c:a', 'libopus', '-b:a', '96k', '-ar', '48000', '-ac', '2', '-frame_duration', '20', '-application', 'audio',
      '-f', 'ogg', '-page_duration', '20000', '-flush_packets', '1', 'pipe:1',
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.on('error', (err) => this.log.warn({ err: err.message }, 'ffmpeg for AAC → Opus failed to start'));
    child.stdin?.on('error', () => undefined);
    child.stderr?.on('data', (d: Buffer) => this.log.debug({ ffmpeg: d.toString().trim() }, 'ffmpeg says'));
    child.stdout?.on('data', (chunk: Buffer) => this.onOgg(chunk));
    child.on('exit', (code) => {
      if (!this.closed) this.log.warn({ code }, 'ffmpeg for AAC → Opus exited');
    });
    return child;
  }

  private onOgg(chunk: Buffer): void {
    let packets: Buffer[];
    try {
      packets = this.reader.push(chunk);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'unreadable Ogg from ffmpeg');
      this.close();
      return;
    }
    for (const data of packets) {
      // RFC 7845 §3: the first two packets are OpusHead and OpusTags
      if (this.headersSeen < 2) {
        this.headersSeen++;
        continue;
      }
      const ms = (this.startMs ?? 0) + (this.samples * 1000) / 48_000;
      try {
        this.samples += opusPacketSamples(data);
      } catch {
        continue;
      }
      for (const l of this.listeners) l({ data, ms });
    }
  }
}
