import { RateWindow } from './rate-window.js';

/** What a SendStats reports; plain numbers. */
export interface SendStatsSnapshot {
  packets: number;
  bytes: number;
  retransmittedPackets: number;
  retransmittedBytes: number;
  bitrateBps: number;
}

/** Counters of one outgoing RTP stream toward a subscriber: packets, bytes, retransmits, bitrate. */
export class SendStats {
  private packets = 0;
  private bytes = 0;
  private retransmittedPackets = 0;
  private retransmittedBytes = 0;
  private readonly rate: RateWindow;

  constructor(options: { bitrateWindowMs?: number } = {}) {
    this.rate = new RateWindow(options.bitrateWindowMs ?? 1000);
  }

  /** One packet sent; `retransmit` for answers to NACKs. */
  onSent(bytes: number, nowMs: number, retransmit = false): void {
    this.packets++;
    this.bytes += bytes;
    this.rate.add(bytes, nowMs);
    if (retransmit) {
      this.retransmittedPackets++;
      this.retransmittedBytes += bytes;
    }
  }

  snapshot(nowMs: number): SendStatsSnapshot {
    return {
      packets: this.packets,
      bytes: this.bytes,
      retransmittedPackets: this.retransmittedPackets,
      retransmittedBytes: this.retransmittedBytes,
      bitrateBps: this.rate.bitsPerSecond(nowMs),
    };
  }
}
