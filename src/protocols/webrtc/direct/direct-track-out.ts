import { randomInt } from 'node:crypto';
import type { Socket } from 'node:dgram';
import type { RTCRtpSender } from 'werift';
import { PayloadHistory } from '../payload-history.js';
import { ntpTimestamp } from '../sender-report.js';
import { loadNativeSrtp, SrtpProfile, type NativeSrtp, type NativeSrtpTrack } from './native-srtp.js';
import { socketFd } from './socket-fd.js';

/** The parts of werift's ICE pair and SRTP session we send with (read off its objects: it has no API for them). */
interface WeriftPair {
  remoteAddr: [string, number];
  protocol: { transport: { socket: Socket } };
}
interface WeriftSrtpSession {
  config: { profile: number };
  localContext: { srtpSessionKey: Buffer; srtpSessionSalt: Buffer; srtpSessionAuthTag?: Buffer };
}

/**
 * One outgoing track of a viewer whose peer (ICE, DTLS, RTCP) runs on werift while its media is
 * protected and sent by the native SRTP sender, a frame's packets per call, on werift's own
 * socket and with werift's sender's SSRC and payload type, so RTCP about it (receiver reports,
 * NACK, PLI) reaches werift's sender as usual. NACKs are answered from a history of payload
 * references like NativeRtpOut's. The SRTP keys and the path are taken once DTLS is up and again
 * whenever ICE nominates another pair (an ICE restart).
 */
export class DirectTrackOut {
  private readonly srtp: NativeSrtp = loadNativeSrtp();
  private sequence = randomInt(0, 0x10000);
  private readonly timestampOffset = randomInt(0, 0x100000000);
  private native: NativeSrtpTrack | undefined;
  private pair: unknown;
  private readonly one: Buffer[] = [Buffer.alloc(0)];
  private readonly history: PayloadHistory;
  packetsSent = 0;
  bytesSent = 0;
  packetsResent = 0;
  /** When the newest packet left (performance.now()) and its RTP timestamp: what sender reports map. */
  private lastSentAt = 0;
  private lastTimestamp = 0;
  private reporting = false;

  constructor(
    private readonly sender: RTCRtpSender,
    kind: 'video' | 'audio',
  ) {
    this.history = new PayloadHistory(kind);
    sender.onGenericNack.subscribe((nack) => this.resend(nack.lost));
  }

  /** Sends one frame's packets of this track (`timestamp` before this viewer's offset); the marker goes on the last. */
  sendGroup(payloads: readonly Buffer[], timestamp: number, marker: boolean): void {
    const native = this.path();
    if (native === undefined) return;
    const first = this.sequence;
    const ts = (timestamp + this.timestampOffset) >>> 0;
    this.srtp.sendMany(native, payloads, first, ts, marker);
    for (let i = 0; i < payloads.length; i++) {
      const payload = payloads[i] as Buffer;
      this.history.add((first + i) & 0xffff, payload, ts, marker && i === payloads.length - 1);
      this.bytesSent += payload.length;
    }
    this.packetsSent += payloads.length;
    this.sequence = (first + payloads.length) & 0xffff;
    this.lastSentAt = performance.now();
    this.lastTimestamp = ts;
    if (!this.reporting) this.startSenderReports();
  }

  /**
   * RTCP sender reports (RFC 3550 §6.4.1) through werift's own report loop: it reads its sender's
   * NTP time, RTP timestamp and counts, which its send path would set; here they are read off this
   * track when a report is due (about once a second), so sending a frame only stores two numbers.
   * Players map RTP time to wall time from them (audio/video sync), and the RTT comes back in their
   * receiver reports.
   */
  private startSenderReports(): void {
    this.reporting = true;
    const noop = (): void => undefined;
    Object.defineProperties(this.sender, {
      ntpTimestamp: { configurable: true, get: () => ntpTimestamp(performance.timeOrigin + this.lastSentAt), set: noop },
      rtpTimestamp: { configurable: true, get: () => this.lastTimestamp, set: noop },
      packetCount: { configurable: true, get: () => this.packetsSent >>> 0, set: noop },
      octetCount: { configurable: true, get: () => this.bytesSent >>> 0, set: noop },
    });
    void this.sender.runRtcp();
  }

  /** Sends one packet (Opus from beside the hub). */
  send(payload: Buffer, timestamp: number, marker: boolean): void {
    this.one[0] = payload;
    this.sendGroup(this.one, timestamp, marker);
  }

  /** Sends again each asked-for packet still in the history, as it was. */
  resend(sequenceNumbers: readonly number[]): void {
    const native = this.native;
    if (native === undefined) return;
    for (const seq of sequenceNumbers) {
      this.history.replay(seq, (payload, timestamp, marker) => {
        this.one[0] = payload;
        this.packetsResent += this.srtp.sendMany(native, this.one, seq, timestamp, marker);
      });
    }
  }

  /**
   * The native track, made once DTLS is up, and pointed at the current ICE pair: a new pair (an ICE
   * restart) moves the same track, whose rollover counter must go on; undefined before.
   */
  private path(): NativeSrtpTrack | undefined {
    // fields all the way (werift's peer-level getters build arrays on every read)
    const pair = this.sender.dtlsTransport.iceTransport.connection.nominated as WeriftPair | undefined;
    if (pair === this.pair) return this.native;
    const fd = pair !== undefined ? socketFd(pair.protocol.transport.socket) : undefined;
    if (pair === undefined || fd === undefined) return undefined;
    if (this.native !== undefined) {
      this.srtp.setPath(this.native, fd, pair.remoteAddr[0], pair.remoteAddr[1]);
      this.pair = pair;
      return this.native;
    }
    // set when DTLS has finished: the keys it exported, as werift derived them for its own sender
    const session = Reflect.get(this.sender.dtlsTransport, 'srtp') as WeriftSrtpSession | undefined;
    const context = session?.localContext;
    const profile = session?.config.profile;
    const payloadType = this.sender.codec?.payloadType;
    if (context === undefined || payloadType === undefined || (profile !== SrtpProfile.AeadAes128Gcm && profile !== SrtpProfile.AesCm128HmacSha1_80)) return undefined;
    this.native = this.srtp.create(profile, context.srtpSessionKey, context.srtpSessionSalt, context.srtpSessionAuthTag ?? Buffer.alloc(20), fd, pair.remoteAddr[0], pair.remoteAddr[1], this.sender.ssrc, payloadType);
    this.pair = pair;
    return this.native;
  }
}
