import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  useAudioLevelIndication,
  useNACK,
  usePLI,
  useREMB,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
  useTransportWideCC,
  type RTCIceServer,
} from 'werift';
import type { IceServerOptions } from '../options.js';
import type { PeerNetworkOptions } from '../peer-factory.js';
import type { NegotiatedCodec } from './room-codecs.js';

/** The URI of the RFC 6464 audio level extension, as negotiated in SDP. */
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

function codecParameters(c: NegotiatedCodec, remb = false): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: c.mimeType,
    clockRate: c.clockRate,
    payloadType: c.payloadType,
    ...(c.channels !== undefined ? { channels: c.channels } : {}),
    // video: NACK for loss, PLI for keyframes; both: transport-wide CC so each sender can estimate bandwidth
    // Publishers get REMB instead of transport-wide CC: werift's transport-CC feedback makes
    // Chromium's delay-based estimator back off to ~200 kbit/s on an idle loopback, so its top
    // simulcast layers never start. With REMB (our cap) and receiver reports (loss), they do.
    rtcpFeedback: remb ? (c.kind === 'video' ? [useNACK(), usePLI(), useREMB()] : []) : c.kind === 'video' ? [useNACK(), usePLI(), { type: 'transport-cc' }] : [{ type: 'transport-cc' }],
    ...(c.parameters !== '' ? { parameters: c.parameters } : {}),
  });
}

function network(options: PeerNetworkOptions, iceServers: readonly IceServerOptions[]): ConstructorParameters<typeof RTCPeerConnection>[0] {
  return {
    iceServers: iceServers.map((s): RTCIceServer => ({ urls: s.urls, ...(s.username !== undefined ? { username: s.username } : {}), ...(s.credential !== undefined ? { credential: s.credential } : {}) })),
    ...(options.udpPortRange !== undefined ? { icePortRange: options.udpPortRange } : {}),
    ...(options.bindAddress !== undefined ? { iceInterfaceAddresses: { udp4: options.bindAddress }, iceAdditionalHostAddresses: [options.bindAddress], iceUseIpv6: false } : {}),
  };
}

/**
 * The peer a room participant publishes into: exactly the codecs chosen from its offer, the
 * rid extensions simulcast needs, and the audio level extension for active-speaker detection.
 */
export function createRoomPublisherPeer(codecs: { video?: NegotiatedCodec; audio?: NegotiatedCodec }, options: PeerNetworkOptions, iceServers: readonly IceServerOptions[]): RTCPeerConnection {
  return new RTCPeerConnection({
    codecs: { video: codecs.video !== undefined ? [codecParameters(codecs.video, true)] : [], audio: codecs.audio !== undefined ? [codecParameters(codecs.audio, true)] : [] },
    headerExtensions: {
      video: [useSdesMid(), useSdesRTPStreamId(), useRepairedRtpStreamId()],
      audio: [useSdesMid(), useAudioLevelIndication()],
    },
    ...network(options, iceServers),
  });
}

/** The peer one subscriber receives one publisher's tracks on: offered with the publisher's own codecs. */
export function createRoomSubscriberPeer(codecs: { video?: NegotiatedCodec; audio?: NegotiatedCodec }, options: PeerNetworkOptions, iceServers: readonly IceServerOptions[]): RTCPeerConnection {
  return new RTCPeerConnection({
    codecs: { video: codecs.video !== undefined ? [codecParameters(codecs.video)] : [], audio: codecs.audio !== undefined ? [codecParameters(codecs.audio)] : [] },
    headerExtensions: { video: [useSdesMid(), useTransportWideCC()], audio: [useSdesMid(), useTransportWideCC()] },
    ...network(options, iceServers),
  });
}
