/**
 * What the publisher did, frame by frame, on the load process's clock: when it finished sending
 * each frame's last packet, how many packets the frame had, and which frames were keyframes.
 * Subscribers in the same process read it to match their frames and time them.
 */
export class FrameLog {
  private readonly doneAt: number[] = [];
  private readonly packets: number[] = [];
  /** Frame numbers of keyframes, ascending. */
  readonly keyframes: number[] = [];
  /** The newest frame whose last packet has been sent; -1 before the first. */
  sentThrough = -1;

  /** Records that frame `n` (the next one) is fully sent at `atMs`. */
  sent(n: number, keyframe: boolean, packets: number, atMs: number): void {
    this.doneAt[n] = atMs;
    this.packets[n] = packets;
    if (keyframe) this.keyframes.push(n);
    this.sentThrough = n;
  }

  /** When frame `n`'s last packet went out, or undefined if it has not. */
  doneTime(n: number): number | undefined {
    return n >= 0 && n <= this.sentThrough ? this.doneAt[n] : undefined;
  }

  /** Packets of frames `from`..`to` inclusive (what the server should forward to each viewer). */
  packetsBetween(from: number, to: number): number {
    let sum = 0;
    for (let n = Math.max(0, from); n <= Math.min(to, this.sentThrough); n++) sum += this.packets[n] ?? 0;
    return sum;
  }

  /** The newest keyframe whose sending finished at or before `atMs`. */
  keyframeBefore(atMs: number): number | undefined {
    for (let i = this.keyframes.length - 1; i >= 0; i--) {
      const k = this.keyframes[i] as number;
      if ((this.doneAt[k] as number) <= atMs) return k;
    }
    return undefined;
  }

  /** The keyframe before keyframe `k`, if any. */
  keyframeBeforeFrame(k: number): number | undefined {
    for (let i = this.keyframes.length - 1; i >= 0; i--) if ((this.keyframes[i] as number) < k) return this.keyframes[i];
    return undefined;
  }
}
