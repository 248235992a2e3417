import { ActiveSpeakerDetector } from '../sfu/index.js';
import type { Participant } from './participant.js';
import type { RtcServerFrame } from './protocol.js';

/** How often a room with talking participants sends everyone the audio levels (meters). */
const LEVELS_INTERVAL_MS = 250;

/** A call: its participants, who is speaking, and frames to everyone in it. */
export class Room {
  readonly participants = new Map<string, Participant>();
  private readonly speakers: ActiveSpeakerDetector;
  private levelsTimer: NodeJS.Timeout | undefined;
  private lastLevels = '';

  constructor(readonly id: string) {
    this.speakers = new ActiveSpeakerDetector({ onChange: (participantId) => this.broadcast({ type: 'activeSpeaker', participantId: participantId ?? null }) });
  }

  get empty(): boolean {
    return this.participants.size === 0;
  }

  add(p: Participant): void {
    this.participants.set(p.id, p);
  }

  remove(p: Participant): void {
    this.participants.delete(p.id);
    this.speakers.remove(p.id);
    if (this.empty) this.close();
  }

  /** An audio packet's level (−dBov) from a publisher in this room. */
  audioLevel(participantId: string, level: number, nowMs: number): void {
    this.speakers.feed(participantId, level, nowMs);
    if (this.levelsTimer === undefined) {
      this.levelsTimer = setInterval(() => this.sendLevels(), LEVELS_INTERVAL_MS);
      this.levelsTimer.unref();
    }
  }

  broadcast(frame: RtcServerFrame, except?: Participant): void {
    for (const p of this.participants.values()) if (p !== except) p.send(frame);
  }

  close(): void {
    clearInterval(this.levelsTimer);
    this.levelsTimer = undefined;
  }

  private sendLevels(): void {
    // closes the level windows even when nobody sends audio, so silence is noticed
    this.speakers.tick(performance.now());
    const levels: Record<string, number> = {};
    for (const [id, level] of this.speakers.levels()) levels[id] = Math.round(level);
    const text = JSON.stringify(levels);
    if (text === this.lastLevels) return;
    this.lastLevels = text;
    this.broadcast({ type: 'audioLevels', levels });
  }
}
