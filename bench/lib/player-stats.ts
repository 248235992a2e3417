/**
 * What one benchmark player saw of the stream, and the rule that says whether it kept up.
 * Media timestamps are compared with the wall clock of their arrival, never across players:
 * the three servers measured send the publisher's timestamps unchanged, but nothing in RTMP
 * requires it, and a per-player reference also works for a server that rebases them.
 */
export class PlayerStats {
  videoFrames = 0;
  bytes = 0;
  /** Timestamp (ms) of the newest video message, unwrapped to grow past 2^32. */
  lastVideoTs = -1;
  /**
   * The smallest (arrival wall time − media timestamp) seen: the moment this player was freshest.
   * How far the newest frame now lags that best case is how much the player has fallen behind.
   */
  minOffset = Number.POSITIVE_INFINITY;
  closed = false;
  closeReason: string | undefined;

  /** Counts one video message with 32-bit `timestamp` arriving at wall time `nowMs`. */
  onVideo(timestamp: number, size: number, nowMs: number): void {
    this.videoFrames++;
    this.bytes += size;
    let ts = timestamp;
    // The 32-bit field wraps after 49.7 days, or earlier on servers that start it high.
    if (this.lastVideoTs >= 0) {
      while (ts < this.lastVideoTs - 2 ** 31) ts += 2 ** 32;
    }
    if (ts > this.lastVideoTs) this.lastVideoTs = ts;
    const offset = nowMs - ts;
    if (offset < this.minOffset) this.minOffset = offset;
  }

  onOther(size: number): void {
    this.bytes += size;
  }

  /** How far (ms) the newest frame lags where it would be if the player were as fresh as its best. */
  behindMs(nowMs: number): number {
    if (this.lastVideoTs < 0) return Number.POSITIVE_INFINITY;
    return nowMs - this.lastVideoTs - this.minOffset;
  }

  snapshot(nowMs: number): PlayerSnapshot {
    return { at: nowMs, videoFrames: this.videoFrames, bytes: this.bytes, lastVideoTs: this.lastVideoTs, behindMs: this.behindMs(nowMs), closed: this.closed };
  }
}

/** A player's counters at one instant. */
export interface PlayerSnapshot {
  at: number;
  videoFrames: number;
  bytes: number;
  lastVideoTs: number;
  behindMs: number;
  closed: boolean;
}

/**
 * The keep-up rule, over a measurement window of W seconds (after a warm-up, so the GOP burst a
 * player gets on joining is not counted). A player keeps up when all hold:
 * - it is still connected at the end;
 * - it got at least 95 % of the video frames the best-served player got in the window (catches
 *   servers that skip frames for slow players while the clock still advances: ZenLive drops video
 *   to the next keyframe and keeps audio);
 * - its video media time advanced by at least 95 % of wall time (catches a player, or the whole
 *   stream, running slower than real time);
 * - its newest frame is at most 2 s behind its own freshest moment (catches a backlog built up
 *   before or during the window). 2 s is one GOP of this clip: a player that far behind would
 *   show a visible stall.
 * 5 % leaves room for timer and batching jitter at the window edges (a frame is 33 ms; 5 % of
 * 20 s is 1 s); a server that delivers at 95 % of real time would lose a second every 20.
 */
export const KEEP_UP = { minFrameRatio: 0.95, minClockRatio: 0.95, maxBehindMs: 2000 } as const;

/** Why a player did not keep up (the first failed check), or undefined when it did. */
export type Verdict = 'disconnected' | 'too-few-frames' | 'slow-clock' | 'behind' | undefined;

/** Applies KEEP_UP to one player's counters at the start and end of the window. */
export function verdict(start: PlayerSnapshot, end: PlayerSnapshot, refFrames: number): Verdict {
  if (end.closed) return 'disconnected';
  if (end.videoFrames - start.videoFrames < KEEP_UP.minFrameRatio * refFrames) return 'too-few-frames';
  const wall = end.at - start.at;
  if (start.lastVideoTs < 0 || end.lastVideoTs - start.lastVideoTs < KEEP_UP.minClockRatio * wall) return 'slow-clock';
  if (end.behindMs > KEEP_UP.maxBehindMs) return 'behind';
  return undefined;
}
