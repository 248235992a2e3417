import { ParseError } from '../../../base/index.js';

/** RFC 6464 audio level: `level` is the loudness in -dBov (0 loudest, 127 silence). */
export interface AudioLevel {
  voice: boolean;
  level: number;
}

/** The -dBov level from the first byte of an RFC 6464 extension element (no allocation). */
export function audioLevelOf(byte: number): number {
  return byte & 0x7f;
}

/** The V (voice activity) flag from the first byte of an RFC 6464 extension element (no allocation). */
export function voiceActivityOf(byte: number): boolean {
  return (byte & 0x80) !== 0;
}

/**
 * Parses the client-to-mixer audio level header extension element (RFC 6464 §3): one byte with
 * the V flag in its top bit and the level in the other seven. Throws ParseError when it is empty.
 */
export function parseAudioLevel(data: Buffer): AudioLevel {
  const b = data[0];
  if (b === undefined) throw new ParseError('empty audio level extension', 0);
  return { voice: voiceActivityOf(b), level: audioLevelOf(b) };
}

/** Tunables of an ActiveSpeakerDetector. */
export interface ActiveSpeakerOptions {
  /** Levels are averaged over windows this long (default 500 ms). */
  windowMs?: number;
  /** A challenger must be the loudest for this long before it takes over (default 1000 ms). */
  switchHoldMs?: number;
  /** Averages quieter than this many -dBov count as silence (default 50, i.e. -50 dBov). */
  silenceLevel?: number;
  /** Told when the active speaker changes (null: the speaker left). */
  onChange?: (participantId: string | null, previous: string | null) => void;
}

interface Participant {
  sum: number;
  count: number;
  smoothed: number;
}

const SILENCE = 127;

/**
 * Picks the active speaker of a room from the audio levels of every packet: levels are averaged
 * over fixed windows (a participant who sent nothing in a window was silent, as Opus DTX sends
 * nothing), and a new speaker must be the loudest, above the silence threshold, for the hold
 * time before it takes over. When everyone falls silent the last speaker stays active.
 */
export class ActiveSpeakerDetector {
  /** The active speaker (null: none yet, or the speaker left). */
  active: string | null = null;
  private readonly participants = new Map<string, Participant>();
  private readonly windowMs: number;
  private readonly holdMs: number;
  private readonly silence: number;
  private windowStart = NaN;
  private challenger: string | undefined;
  private challengerMs = 0;

  constructor(private readonly options: ActiveSpeakerOptions = {}) {
    this.windowMs = options.windowMs ?? 500;
    this.holdMs = options.switchHoldMs ?? 1000;
    this.silence = options.silenceLevel ?? 50;
  }

  /** One audio packet's level (0..127 -dBov) from `participantId`. */
  feed(participantId: string, level: number, nowMs: number): void {
    this.tick(nowMs);
    let p = this.participants.get(participantId);
    if (p === undefined) {
      p = { sum: 0, count: 0, smoothed: SILENCE };
      this.participants.set(participantId, p);
    }
    p.sum += Math.min(SILENCE, Math.max(0, level));
    p.count++;
  }

  /** Closes the windows that ended by `nowMs`; call on a timer too, so silence is noticed without packets. */
  tick(nowMs: number): void {
    if (Number.isNaN(this.windowStart)) {
      this.windowStart = nowMs;
      return;
    }
    const ended = Math.floor((nowMs - this.windowStart) / this.windowMs);
    if (ended <= 0) return;
    // after the first closed window the rest were empty; two of them settle everything
    const closes = Math.min(ended, 2 + Math.ceil(this.holdMs / this.windowMs));
    for (let i = 0; i < closes; i++) this.closeWindow();
    this.windowStart += ended * this.windowMs;
  }

  /** Forgets a participant who left; if it was the active speaker, there is none until the next one. */
  remove(participantId: string): void {
    this.participants.delete(participantId);
    if (this.challenger === participantId) this.challenger = undefined;
    if (this.active === participantId) this.setActive(null);
  }

  /**
   * Each participant's level averaged over the last closed window, in -dBov (127: silent);
   * with `nowMs`, the windows ended by then are closed first.
   */
  levels(nowMs?: number): Map<string, number> {
    if (nowMs !== undefined) this.tick(nowMs);
    const out = new Map<string, number>();
    for (const [id, p] of this.participants) out.set(id, p.smoothed);
    return out;
  }

  private closeWindow(): void {
    let loudest: string | undefined;
    let loudestLevel = SILENCE;
    for (const [id, p] of this.participants) {
      p.smoothed = p.count > 0 ? p.sum / p.count : SILENCE;
      p.sum = 0;
      p.count = 0;
      if (p.smoothed < loudestLevel) {
        loudest = id;
        loudestLevel = p.smoothed;
      }
    }
    if (loudest === undefined || loudestLevel > this.silence || loudest === this.active) {
      this.challenger = undefined;
      return;
    }
    if (loudest === this.challenger) this.challengerMs += this.windowMs;
    else {
      this.challenger = loudest;
      this.challengerMs = this.windowMs;
    }
    if (this.challengerMs >= this.holdMs) {
      this.challenger = undefined;
      this.setActive(loudest);
    }
  }

  private setActive(id: string | null): void {
    const previous = this.active;
    this.active = id;
    this.options.onChange?.(id, previous);
  }
}
