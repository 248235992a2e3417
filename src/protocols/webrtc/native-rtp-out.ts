import { randomInt } from 'node:crypto';
import type nodeDataChannel from 'node-datachannel';
import { PayloadHistory } from './payload-history.js';
import { buildSenderReport } from './sender-report.js';

// RTP header (12 bytes) plus the largest payload we send, with room to spare
const SCRATCH_BYTES = 1600;


/** Where retransmissions go when the receiver negotiated RTX (RFC 4588). */
export interface RtxSettings {
  payloadType: number;
  ssrc: number;
}

/** Gives each packet of a transport its transport-wide sequence number (and remembers it for the feedback). */
export interface TransportWideStamper {
  stamp(sizeBytes: number, nowMs: number): number;
}

/**
 * One outgoing RTP stream on libdatachannel: the caller's sequence number and timestamp, our SSRC,
 * written into one reused buffer (libdatachannel copies and encrypts before `send` returns).
 * NACKs are answered here from the history, on this SSRC (libdatachannel's own responder kept a
 * copy of every packet per viewer: most of a viewer's memory, and a store per packet).
 */
export class NativeRtpOut {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private readonly history: PayloadHistory;
  packetsSent = 0;
  bytesSent = 0;
  packetsResent = 0;
  private rtxSequence = randomInt(0, 0x10000);
  /** Asked of the track until it first says yes: a second native call per packet cost ~5 % of the send path. */
  private opened = false;
  /** When the newest frame's first packet left (performance.now()) and its RTP timestamp: what sender reports map. */
  private lastSentAt = 0;
  private lastTimestamp = 0;
  /** The transport-wide CC header extension's id and the transport's stamper, once the receiver agreed to it. */
  private transportWide: { id: number; stamper: TransportWideStamper } | undefined;

  constructor(
    readonly track: nodeDataChannel.Track,
    private readonly payloadType: number,
    kind: 'video' | 'audio',
    private rtx?: RtxSettings,
    /** Chosen before the track is added when the SDP must name it (libdatachannel copies the description then). */
    readonly ssrc = randomInt(1, 0xffffffff),
  ) {
    this.history = new PayloadHistory(kind);
  }

  /** Retransmissions go on this RTX stream from now on (undefined: on the media SSRC, as they were). */
  useRtx(rtx: RtxSettings | undefined): void {
    this.rtx = rtx;
  }

  /**
   * Every packet from now on carries a transport-wide sequence number in the one-byte header
   * extension `id` (RFC 8285), from the transport's `stamper`, so the receiver's feedback can say
   * when each arrived.
   */
  useTransportWideCc(id: number, stamper: TransportWideStamper): void {
    this.transportWide = { id, stamper };
  }

  /** Sends one packet; `payload` must not change afterwards (it is kept to answer NACKs). */
  send(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): void {
    if (!this.write(payload, sequenceNumber, timestamp, marker)) return;
    this.history.add(sequenceNumber, payload, timestamp, marker);
    // the clock is read once per frame (its packets share a timestamp), not per packet
    if (timestamp !== this.lastTimestamp || this.packetsSent === 0) {
      this.lastSentAt = performance.now();
      this.lastTimestamp = timestamp;
    }
    this.packetsSent++;
    this.bytesSent += payload.length;
  }

  /**
   * Sends an RTCP sender report for this stream (RFC 3550 §6.4.1), once something was sent: players
   * map its RTP time to wall time from it (audio/video sync) and answer with the round trip.
   * libdatachannel protects it as SRTCP on the way out.
   */
  report(cname: string): void {
    if (this.packetsSent === 0) return;
    try {
      this.track.sendMessageBinary(buildSenderReport({ ssrc: this.ssrc, atUnixMs: performance.timeOrigin + this.lastSentAt, rtpTimestamp: this.lastTimestamp, packets: this.packetsSent, octets: this.bytesSent, cname }));
    } catch {
      // the peer closed; its state change ends the session
    }
  }

  /**
   * Answers a NACK: sends again each asked-for packet still in the history — on the RTX stream
   * (its own sequence, the original one in front of the payload) when negotiated, else as it was.
   */
  resend(sequenceNumbers: readonly number[]): void {
    const rtx = this.rtx;
    for (const seq of sequenceNumbers) {
      this.history.replay(seq, (payload, timestamp, marker) => {
        let sent: boolean;
        if (rtx === undefined) sent = this.write(payload, seq, timestamp, marker);
        else {
          sent = this.write(payload, this.rtxSequence, timestamp, marker, rtx, seq);
          if (sent) this.rtxSequence = (this.rtxSequence + 1) & 0xffff;
        }
        if (sent) this.packetsResent++;
      });
    }
  }

  private write(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean, rtx?: RtxSettings, originalSequence = 0): boolean {
    const tw = this.transportWide;
    const extension = tw === undefined ? 0 : 8;
    const head = 12 + extension + (rtx === undefined ? 0 : 2);
    if (payload.length + head > SCRATCH_BYTES) return false;
    if (!this.opened) {
      if (!this.track.isOpen()) return false;
      this.opened = true;
    }
    const b = this.scratch;
    b[0] = tw === undefined ? 0x80 : 0x90;
    b[1] = (marker ? 0x80 : 0) | (rtx?.payloadType ?? this.payloadType);
    b.writeUInt16BE(sequenceNumber, 2);
    b.writeUInt32BE(timestamp >>> 0, 4);
    b.writeUInt32BE(rtx?.ssrc ?? this.ssrc, 8);
    if (tw !== undefined) {
      // one-byte header extension block: profile 0xBEDE, one word: id and length-1, the 16-bit number, padding
      const transportSequence = tw.stamper.stamp(head + payload.length, performance.now());
      b[12] = 0xbe;
      b[13] = 0xde;
      b.writeUInt16BE(1, 14);
      b[16] = (tw.id << 4) | 1;
      b.writeUInt16BE(transportSequence, 17);
      b[19] = 0;
    }
    if (rtx !== undefined) b.writeUInt16BE(originalSequence, 12 + extension);
    payload.copy(b, head);
    try {
      this.track.sendMessageBinary(b.subarray(0, head + payload.length));
    } catch {
      // the peer closed between packets; its state change ends the session (ask the track again meanwhile)
      this.opened = false;
      return false;
    }
    return true;
  }
}

// a STUN answer takes a round trip; an unreachable server must not hold the SDP long
const GATHER_TIMEOUT_MS = 3000;

/**
 * Runs `describe` (setting a local or remote description) and resolves with our local SDP once ICE
 * gathering is complete, so it carries every candidate (clients may not trickle).
 */
export async function describeAndGather(pc: nodeDataChannel.PeerConnection, describe: () => void): Promise<string> {
  const gathered = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
    pc.onGatheringStateChange((state) => {
      if (state !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
  describe();
  await gathered;
  return pc.localDescription()?.sdp ?? '';
}
