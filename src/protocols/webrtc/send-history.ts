import type { RtpPacket } from 'werift';
import { sequenceDelta } from '../../media/index.js';

/** werift's sender answers NACKs itself from its last 128 packets (RTP_HISTORY_SIZE in rtpSender.js). */
export const WERIFT_HISTORY = 128;

/**
 * A viewer's recently sent packets, so NACKs older than werift's own short history can still be
 * answered: about one second at a few Mbit/s. Packets are kept as sent (werift has stamped SSRC,
 * payload type and header extensions on them).
 */
export class SendHistory {
  private readonly slots: (RtpPacket | undefined)[];
  private newest: number | undefined;

  constructor(readonly capacity = 1024) {
    this.slots = new Array<RtpPacket | undefined>(capacity);
  }

  add(packet: RtpPacket): void {
    this.slots[packet.header.sequenceNumber % this.capacity] = packet;
    this.newest = packet.header.sequenceNumber;
  }

  /** The packets of `lost` that werift no longer holds and we still do. */
  olderThanWerift(lost: readonly number[]): RtpPacket[] {
    const newest = this.newest;
    if (newest === undefined) return [];
    const out: RtpPacket[] = [];
    for (const seq of lost) {
      const age = sequenceDelta(seq, newest);
      if (age < WERIFT_HISTORY || age >= this.capacity) continue;
      const p = this.slots[seq % this.capacity];
      if (p !== undefined && p.header.sequenceNumber === seq) out.push(p);
    }
    return out;
  }
}
