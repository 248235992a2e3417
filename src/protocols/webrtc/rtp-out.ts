import { RtpHeader, RtpPacket, type RTCRtpSender } from 'werift';
import { SendHistory } from './send-history.js';

/**
 * One outgoing RTP stream of a viewer or subscriber: sends payloads with the sequence number and
 * timestamp the caller chose, and answers NACKs older than werift's own short history from ours.
 */
export class RtpOut {
  readonly history = new SendHistory();
  packetsSent = 0;
  bytesSent = 0;

  constructor(readonly sender: RTCRtpSender) {
    // werift's sender-side estimator keeps a record of every packet sent and never prunes it (its
    // pruning reads the wrong object), up to 65,536 per peer: megabytes per viewer. Nothing here
    // uses that estimate (layer choice reads loss and REMB), so it is not fed.
    sender.senderBWE.rtpPacketSent = () => undefined;
    sender.onGenericNack.subscribe((nack) => {
      // werift resends what it still has; older packets come from our longer history
      for (const p of this.history.olderThanWerift(nack.lost)) void sender.dtlsTransport.sendRtp(p.payload, p.header).catch(() => undefined);
    });
  }

  send(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): void {
    const payloadType = this.sender.codec?.payloadType;
    if (payloadType === undefined) return;
    // werift's sendRtp rewrites the header object it is given: every receiver gets its own header,
    // while the payload bytes stay shared
    const packet = new RtpPacket(new RtpHeader({ payloadType, sequenceNumber, timestamp, marker }), payload);
    this.history.add(packet);
    this.packetsSent++;
    this.bytesSent += payload.length;
    void this.sender.sendRtp(packet).catch(() => undefined);
  }
}
