import nodeDataChannel from 'node-datachannel';
import { startsKeyframe, type PacketInfo } from './subscriber-stats.js';

const { PeerConnection, Video } = nodeDataChannel;

/** The H.264 format every subscriber offers (Constrained Baseline, packetization-mode 1): what the clip is. */
export const H264_FMTP = 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1';
const PAYLOAD_TYPE = 102;

/** A WHEP viewer backed by libdatachannel: SRTP and ICE run natively, JS sees each RTP packet once. */
export interface WhepSubscriber {
  readonly id: number;
  /** The resource URL from the 201's Location, for DELETE. */
  readonly resource: string;
  state(): string;
  close(): void;
}

/** Where a subscriber plays from and what it does with each packet. */
export interface WhepSubscriberOptions {
  id: number;
  /** `http://127.0.0.1:PORT/whep/STREAM`. */
  url: string;
  onPacket(p: PacketInfo, nowMs: number): void;
  onClosed?(reason: string): void;
  /** Rejects when the peer is not connected within this. */
  connectTimeoutMs?: number;
}

// RTCP packet types 200..206 (RFC 3550, 4585) share the port: they are not media
const isRtcp = (b: Buffer): boolean => b.length > 1 && (b[1] as number) >= 200 && (b[1] as number) <= 206;

/**
 * Offers recvonly H.264 to a WHEP endpoint (SDP offer → 201 + answer), applies the answer and
 * resolves once ICE and DTLS are up. Everything binds to 127.0.0.1 (TEST-PEERS.md: the machine
 * has another interface that libdatachannel would otherwise gather on).
 */
export async function openWhepSubscriber(o: WhepSubscriberOptions): Promise<WhepSubscriber> {
  const pc = new PeerConnection(`whep-${o.id}`, { iceServers: [], bindAddress: '127.0.0.1', enableIceTcp: false });
  const video = new Video('0', 'RecvOnly');
  video.addH264Codec(PAYLOAD_TYPE, H264_FMTP);
  const track = pc.addTrack(video);
  let closed = false;
  const close = (reason: string): void => {
    if (closed) return;
    closed = true;
    o.onClosed?.(reason);
    try {
      track.close();
      pc.close();
    } catch {
      // already torn down by libdatachannel
    }
  };
  track.onMessage((msg) => {
    if (isRtcp(msg) || msg.length < 12) return;
    const cc = (msg[0] as number) & 0x0f;
    let pos = 12 + cc * 4;
    // skip the header extension (werift adds mid and transport-cc)
    if (((msg[0] as number) & 0x10) !== 0 && msg.length >= pos + 4) pos += 4 + msg.readUInt16BE(pos + 2) * 4;
    o.onPacket(
      { sequenceNumber: msg.readUInt16BE(2), timestamp: msg.readUInt32BE(4), marker: ((msg[1] as number) & 0x80) !== 0, keyframeStart: startsKeyframe(msg.subarray(pos)) },
      performance.now(),
    );
  });
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subscriber ${o.id} not connected within ${o.connectTimeoutMs ?? 20_000} ms`)), o.connectTimeoutMs ?? 20_000);
    pc.onStateChange((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        resolve();
      } else if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        reject(new Error(`subscriber ${o.id}: peer connection ${state}`));
        close(state);
      } else if (state === 'disconnected') close(state);
    });
  });
  connected.catch(() => undefined);
  try {
    const offer = await localOffer(pc);
    const res = await fetch(o.url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
    if (res.status !== 201) throw new Error(`WHEP POST ${o.url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const location = new URL(res.headers.get('location') ?? '', o.url).href;
    pc.setRemoteDescription(await res.text(), 'answer');
    await connected;
    return { id: o.id, resource: location, state: () => pc.state(), close: () => close('closed by us') };
  } catch (err) {
    close('setup failed');
    throw err;
  }
}

/** The complete offer: libdatachannel gathers on setLocalDescription; WHEP wants every candidate in the POST. */
function localOffer(pc: InstanceType<typeof PeerConnection>): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ICE gathering did not complete')), 5000);
    pc.onGatheringStateChange((state) => {
      if (state !== 'complete') return;
      clearTimeout(timer);
      const sdp = pc.localDescription()?.sdp;
      if (sdp === undefined) reject(new Error('no local description'));
      else resolve(sdp);
    });
    pc.setLocalDescription();
  });
}
