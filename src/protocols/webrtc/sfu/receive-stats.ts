import { sequenceDelta } from '../../../media/index.js';
import { timestampDelta } from './rtp-rewriter.js';
import { RateWindow } from './rate-window.js';

// RFC 3550 A.1
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

/** What a ReceiveStats reports; plain numbers. */
export interface ReceiveStatsSnapshot {
  packets: number;
  bytes: number;
  /** Highest sequence number with the wrap count in the upper bits (RFC 3550 §6.4.1). */
  extendedHighestSequence: number;
  /** Packets expected from the first to the highest sequence number. */
  expected: number;
  /** Expected minus received; negative when duplicates arrived (RFC 3550 §6.4.1). */
  lost: number;
  /** Loss since the previous snapshot, 0..1 (RFC 3550 A.3). */
  fractionLost: number;
  intervalExpected: number;
  intervalLost: number;
  /** Interarrival jitter (RFC 3550 A.8), in RTP clock units and in milliseconds. */
  jitter: number;
  jitterMs: number;
  bitrateBps: number;
}

/**
 * Receive statistics of one incoming RTP source (RFC 3550 §6.4.1 and appendix A): counts,
 * extended highest sequence, cumulative and interval loss, interarrival jitter and bitrate.
 */
export class ReceiveStats {
  private packets = 0;
  private bytes = 0;
  private received = 0;
  private started = false;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private badSeq = -1;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private jitter = 0;
  private lastTransitBase = NaN;
  private lastTimestamp = 0;
  private readonly rate: RateWindow;

  constructor(
    readonly clockRate: number,
    options: { bitrateWindowMs?: number } = {},
  ) {
    if (!(clockRate > 0)) throw new RangeError(`RTP clock rate ${clockRate} must be positive`);
    this.rate = new RateWindow(options.bitrateWindowMs ?? 1000);
  }

  /** One received packet: its sequence number, RTP timestamp, size in bytes and arrival time. */
  onPacket(seq: number, timestamp: number, bytes: number, arrivalMs: number): void {
    this.packets++;
    this.bytes += bytes;
    this.rate.add(bytes, arrivalMs);
    if (!this.started) {
      this.started = true;
      this.restart(seq);
    } else {
      const d = sequenceDelta(this.maxSeq, seq);
      if (d > 0 && d < MAX_DROPOUT) {
        if (seq < this.maxSeq) this.cycles += 0x10000;
        this.maxSeq = seq;
        this.badSeq = -1;
      } else if (d <= 0 && -d <= MAX_MISORDER) {
        // duplicate or reordered: counted as received, as RFC 3550 A.1 does
      } else if (seq === this.badSeq) {
        // two consecutive packets after a big jump: the source restarted its sequence
        this.restart(seq);
      } else {
        this.badSeq = (seq + 1) & 0xffff;
        return;
      }
    }
    this.received++;
    this.updateJitter(timestamp, arrivalMs);
  }

  /** Received bits per second over the sliding window ending at `nowMs`. */
  bitrateBps(nowMs: number): number {
    return this.rate.bitsPerSecond(nowMs);
  }

  /** Current figures; each call closes a reporting interval for `fractionLost` (RFC 3550 A.3). */
  snapshot(nowMs: number): ReceiveStatsSnapshot {
    const expected = this.started ? this.extendedMax() - this.baseSeq + 1 : 0;
    const intervalExpected = expected - this.expectedPrior;
    const intervalReceived = this.received - this.receivedPrior;
    const intervalLost = intervalExpected - intervalReceived;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    return {
      packets: this.packets,
      bytes: this.bytes,
      extendedHighestSequence: this.extendedMax(),
      expected,
      lost: expected - this.received,
      fractionLost: intervalExpected > 0 && intervalLost > 0 ? intervalLost / intervalExpected : 0,
      intervalExpected,
      intervalLost,
      jitter: this.jitter,
      jitterMs: (this.jitter * 1000) / this.clockRate,
      bitrateBps: this.rate.bitsPerSecond(nowMs),
    };
  }

  private extendedMax(): number {
    return this.cycles + this.maxSeq;
  }

  private restart(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.cycles = 0;
    this.badSeq = -1;
    this.received = 0;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
  }

  // RFC 3550 A.8: J += (|D| - J) / 16, D the change in transit time between consecutive packets
  private updateJitter(timestamp: number, arrivalMs: number): void {
    const arrival = (arrivalMs * this.clockRate) / 1000;
    if (Number.isNaN(this.lastTransitBase)) {
      this.lastTransitBase = arrival;
      this.lastTimestamp = timestamp;
      return;
    }
    // transit difference without ever forming a 32-bit transit value, so timestamp wrap is harmless
    const d = arrival - this.lastTransitBase - timestampDelta(this.lastTimestamp, timestamp);
    this.jitter += (Math.abs(d) - this.jitter) / 16;
    this.lastTransitBase = arrival;
    this.lastTimestamp = timestamp;
  }
}
