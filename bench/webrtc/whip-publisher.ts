import { randomInt } from 'node:crypto';
import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, useNACK, usePLI, type RTCRtpSender } from 'werift';
import { FrameLog } from './frame-log.js';
import { TICKS_PER_FRAME, type ClipFrame } from './h264-clip.js';
import { startPacer, type Pacer } from './pacer.js';
import { H264_FMTP } from './whep-subscriber.js';

/** A WHIP publisher looping the clip in real time; `log` says when each frame went out. */
export interface WhipPublisher {
  readonly log: FrameLog;
  /** RTP packets sent so far. */
  readonly packets: number;
  /** Frames handed to the pacer so far (the next frame's number). */
  readonly frames: number;
  close(): Promise<void>;
}

/** A werift peer bound to loopback (TEST-PEERS.md: werift needs the extra host address there). */
export function loopbackPeer(codec: RTCRtpCodecParameters): RTCPeerConnection {
  return new RTCPeerConnection({
    codecs: { video: [codec], audio: [] },
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
  });
}

/** H.264 as the clip is encoded, with NACK and PLI feedback. */
export function h264Codec(): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, payloadType: 102, rtcpFeedback: [useNACK(), usePLI()], parameters: H264_FMTP });
}

/** Resolves when `pc` is connected; rejects on failure or after `timeoutMs`. */
export function connectedPeer(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`peer not connected within ${timeoutMs} ms`)), timeoutMs);
    const sub = pc.connectionStateChange.subscribe((s) => {
      if (s === 'connected') done();
      else if (s === 'failed' || s === 'closed') done(new Error(`peer connection ${s}`));
    });
    function done(err?: Error): void {
      clearTimeout(timer);
      sub.unSubscribe();
      if (err === undefined) resolve();
      else reject(err);
    }
  });
}

/** Sends one clip frame as RTP on `sender`: a fresh header per packet (werift's sendRtp rewrites it), shared payloads. */
export function sendFrame(sender: RTCRtpSender, frame: ClipFrame, timestamp: number, nextSequence: number): number {
  let seq = nextSequence;
  const last = frame.payloads.length - 1;
  frame.payloads.forEach((payload, i) => {
    const header = new RtpHeader({ payloadType: 102, sequenceNumber: seq, timestamp: timestamp >>> 0, marker: i === last });
    seq = (seq + 1) & 0xffff;
    void sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
  });
  return seq;
}

/**
 * Publishes `clip` to `url` (`http://…/whip/KEY`) with a werift sendonly peer, then sends it in
 * real time, looping: frame n carries RTP timestamp n × 3000, so the stream never jumps. PLIs
 * from the server are ignored: the clip has a keyframe every 2 s and the server keeps the GOP.
 */
export async function startWhipPublisher(url: string, clip: readonly ClipFrame[], token?: string): Promise<WhipPublisher> {
  const pc = loopbackPeer(h264Codec());
  const sender = pc.addTransceiver('video', { direction: 'sendonly' }).sender;
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    body: pc.localDescription?.sdp ?? '',
  });
  if (res.status !== 201) throw new Error(`WHIP POST ${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  await connectedPeer(pc, 15_000);
  const log = new FrameLog();
  let packets = 0;
  let seq = randomInt(0, 0x10000);
  const pacer: Pacer = startPacer(clip, (n, frame) => {
    seq = sendFrame(sender, frame, n * TICKS_PER_FRAME, seq);
    packets += frame.payloads.length;
    log.sent(n, frame.keyframe, frame.payloads.length, performance.now());
  });
  return {
    log,
    get packets() {
      return packets;
    },
    get frames() {
      return pacer.frames;
    },
    async close() {
      pacer.stop();
      await pc.close();
    },
  };
}

/** Resolves when werift has gathered its candidates (at most 3 s), so the SDP carries them all. */
export async function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    pc.iceGatheringStateChange.subscribe((s) => {
      if (s === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
