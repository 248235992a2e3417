import { RtcpRrPacket, RtcpSrPacket, RtcpTransportLayerFeedback, TransportWideCC, type RTCRtpSender, type RtcpPacket } from 'werift';

/** A receiver report older than this no longer describes the path. */
const REPORT_STALE_MS = 3000;

/**
 * What a subscriber tells us about the packets we send it: loss from its receiver reports and,
 * faster, from transport-wide CC feedback (every ~100 ms in Chromium), plus jitter and RTT. Feeds
 * the layer choice and the stats API.
 */
export class SenderFeedback {
  private reportLoss = 0;
  private reportAtMs = -Infinity;
  private twccReceived = 0;
  private twccLost = 0;
  /** Interarrival jitter the subscriber reported, in RTP clock units. */
  jitter = 0;
  totalLost = 0;

  constructor(private readonly sender: RTCRtpSender) {
    sender.onRtcp.subscribe((packet) => this.onRtcp(packet));
  }

  /**
   * Loss since the last call: transport-wide CC when it reported anything, else the last receiver
   * report while it is fresh. Resets the transport-wide window.
   */
  takeLossFraction(nowMs: number): number {
    const total = this.twccReceived + this.twccLost;
    const twcc = total >= 10 ? this.twccLost / total : undefined;
    this.twccReceived = 0;
    this.twccLost = 0;
    const report = nowMs - this.reportAtMs < REPORT_STALE_MS ? this.reportLoss : 0;
    return twcc !== undefined ? Math.max(twcc, report) : report;
  }

  /** The receiver's bandwidth estimate (REMB) in bit/s, when it sends one. */
  get rembBps(): number | undefined {
    const remb = Number(this.sender.receiverEstimatedMaxBitrate);
    return remb > 0 ? remb : undefined;
  }

  /** Round-trip time from SR/RR timing that werift keeps (seconds there), in ms. */
  get rttMs(): number | undefined {
    const rtt: unknown = Reflect.get(this.sender, 'rtt');
    return typeof rtt === 'number' && Number.isFinite(rtt) ? Math.round(rtt * 1000) : undefined;
  }

  private onRtcp(packet: RtcpPacket): void {
    if (packet instanceof RtcpRrPacket || packet instanceof RtcpSrPacket) {
      for (const r of packet.reports) {
        if (r.ssrc !== this.sender.ssrc) continue;
        this.reportLoss = r.fractionLost / 256;
        this.reportAtMs = performance.now();
        this.jitter = r.jitter;
        this.totalLost = r.packetsLost;
      }
    } else if (packet instanceof RtcpTransportLayerFeedback && packet.feedback instanceof TransportWideCC) {
      for (const result of packet.feedback.packetResults) {
        if (result.received) this.twccReceived++;
        else this.twccLost++;
      }
    }
  }
}
