/** How far timestamps may move between consecutive frames before we call it a jump. */
const MAX_BACKWARD_MS = 1000;
const MAX_FORWARD_MS = 10_000;
// After a jump the next frame lands this far after the last one: about one frame at 30 fps.
const STEP_AFTER_JUMP_MS = 33;

/**
 * Maps a publisher's timestamps onto the stream's timeline: starting at 0, never jumping.
 * Encoder restarts and wraps become a small step forward instead of a leap players choke on.
 */
export class TimestampGuard {
  private offset: number | undefined;
  private last = 0;
  /** How many jumps were smoothed over; a discontinuity HLS will mark. */
  discontinuities = 0;

  /** The latest timestamp on the stream's timeline, for messages that carry no time of their own. */
  get current(): number {
    return this.last;
  }

  map(timestampMs: number): number {
    if (this.offset === undefined) this.offset = -timestampMs;
    let out = timestampMs + this.offset;
    if (out < this.last - MAX_BACKWARD_MS || out > this.last + MAX_FORWARD_MS) {
      this.offset = this.last + STEP_AFTER_JUMP_MS - timestampMs;
      out = this.last + STEP_AFTER_JUMP_MS;
      this.discontinuities++;
    }
    if (out > this.last) this.last = out;
    return out;
  }
}
