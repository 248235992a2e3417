import { randomInt } from 'node:crypto';
import nodeDataChannel from 'node-datachannel';

// RTP header (12 bytes) plus the largest payload we send, with room to spare
const SCRATCH_BYTES = 1600;

/**
 * Packets libdatachannel keeps per track to answer NACKs itself: about a second of video at
 * ~5 Mbit/s and of Opus audio. It keeps copies, so this is most of a viewer's memory.
 */
export const NACK_HISTORY = { video: 512, audio: 64 } as const;

/**
 * One outgoing RTP stream on libdatachannel: the caller's sequence number and timestamp, our SSRC,
 * written into one reused buffer (libdatachannel copies and encrypts before `send` returns).
 */
export class NativeRtpOut {
  readonly ssrc = randomInt(1, 0xffffffff);
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  packetsSent = 0;
  bytesSent = 0;

  constructor(
    readonly track: nodeDataChannel.Track,
    private readonly payloadType: number,
    kind: 'video' | 'audio',
  ) {
    track.setMediaHandler(new nodeDataChannel.RtcpNackResponder(NACK_HISTORY[kind]));
  }

  send(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): void {
    if (payload.length + 12 > SCRATCH_BYTES || !this.track.isOpen()) return;
    const b = this.scratch;
    b[0] = 0x80;
    b[1] = (marker ? 0x80 : 0) | this.payloadType;
    b.writeUInt16BE(sequenceNumber, 2);
    b.writeUInt32BE(timestamp >>> 0, 4);
    b.writeUInt32BE(this.ssrc, 8);
    payload.copy(b, 12);
    try {
      this.track.sendMessageBinary(b.subarray(0, 12 + payload.length));
    } catch {
      // the peer closed between packets; its state change ends the session
      return;
    }
    this.packetsSent++;
    this.bytesSent += payload.length;
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
