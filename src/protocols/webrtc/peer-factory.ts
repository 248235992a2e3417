import { RTCPeerConnection, RTCRtpCodecParameters, useNACK, usePLI, useSdesMid, useTransportWideCC, type RTCIceServer } from 'werift';
import type { CodecPlan } from './codec-choice.js';
import type { IceServerOptions, WebRtcOptions } from './options.js';

/** The ICE part of the options, as werift takes it. */
export type PeerNetworkOptions = Pick<WebRtcOptions, 'udpPortRange' | 'bindAddress'>;

/**
 * A werift peer connection that can only negotiate the codecs of `plan` (H.264 or VP8 with the
 * offered payload type and its parameters, Opus), with NACK and PLI feedback and transport-wide CC so the
 * browser's sender can estimate bandwidth.
 */
export function createPeer(plan: CodecPlan, network: PeerNetworkOptions, iceServers: readonly IceServerOptions[]): RTCPeerConnection {
  const video = plan.video?.codec;
  const audio = plan.audio?.codec;
  return new RTCPeerConnection({
    codecs: {
      video:
        video !== undefined
          ? [
              new RTCRtpCodecParameters({
                mimeType: video.name === 'vp8' ? 'video/VP8' : video.name === 'vp9' ? 'video/VP9' : 'video/H264',
                clockRate: 90000,
                payloadType: video.payloadType,
                rtcpFeedback: [useNACK(), usePLI(), { type: 'transport-cc' }],
                parameters: Object.entries(video.fmtp)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(';'),
              }),
            ]
          : [],
      audio: audio !== undefined ? [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: audio.payloadType, rtcpFeedback: [{ type: 'transport-cc' }] })] : [],
    },
    headerExtensions: { video: [useSdesMid(), useTransportWideCC()], audio: [useSdesMid(), useTransportWideCC()] },
    iceServers: iceServers.map((s): RTCIceServer => ({ urls: s.urls, ...(s.username !== undefined ? { username: s.username } : {}), ...(s.credential !== undefined ? { credential: s.credential } : {}) })),
    ...(network.udpPortRange !== undefined ? { icePortRange: network.udpPortRange } : {}),
    ...(network.bindAddress !== undefined
      ? { iceInterfaceAddresses: { udp4: network.bindAddress }, iceAdditionalHostAddresses: [network.bindAddress], iceUseIpv6: false }
      : {}),
  });
}

/** Resolves when ICE gathering is complete, so the answer carries every candidate (clients may not trickle). */
export async function gatheringComplete(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const sub = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') done();
    });
    function done(): void {
      clearTimeout(timer);
      sub.unSubscribe();
      resolve();
    }
  });
}
