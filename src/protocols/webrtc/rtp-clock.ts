/**
 * Maps one track's 32-bit RTP timestamps to milliseconds on a session clock. Tracks start at
 * random RTP offsets, so each is anchored at the arrival time of its first packet; later packets
 * follow their own media clock, which keeps audio and video apart only by the first packets' jitter.
 */
export class RtpTrackClock {
  private first: number | undefined;
  private last = 0;
  private extended = 0;
  private anchorMs = 0;

  constructor(
    private readonly clockRate: number,
    private readonly sessionStartMs: number,
  ) {}

  toMs(rtpTimestamp: number, arrivalMs: number): number {
    if (this.first === undefined) {
      this.first = rtpTimestamp;
      this.last = rtpTimestamp;
      this.extended = rtpTimestamp;
      this.anchorMs = arrivalMs - this.sessionStartMs;
    } else {
      // signed 32-bit step: survives the wrap and small reorderings
      const step = ((rtpTimestamp - this.last) << 0) | 0;
      this.extended += step;
      this.last = rtpTimestamp;
    }
    return Math.round(this.anchorMs + ((this.extended - this.first) * 1000) / this.clockRate);
  }
}
