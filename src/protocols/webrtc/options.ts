import type { Logger } from '../../base/index.js';
import type { AuthorizePlay, AuthorizePublish, StreamRegistry } from '../../hub/index.js';
import type { OpusSource } from './opus-source.js';

/** A STUN or TURN server handed to clients (Link headers) and used by our own ICE agent. */
export interface IceServerOptions {
  urls: string[];
  username?: string;
  credential?: string;
}

/** TURN REST credentials (the coturn `use-auth-secret` scheme): short-lived, signed with a shared secret. */
export interface TurnSecretOptions {
  secret: string;
  /** Lifetime of a credential handed to one client. */
  ttlSeconds: number;
}

/** Everything the WHIP/WHEP endpoints need; built by the app from `streaming.webrtc`. */
export interface WebRtcOptions {
  registry: StreamRegistry;
  logger: Logger;
  authorizePublish?: AuthorizePublish;
  authorizePlay?: AuthorizePlay;
  /** STUN servers as `stun:host:port` URLs. */
  stunServers: string[];
  /** TURN servers as `turn:host:port?transport=udp` URLs; credentials come from `turnSecret` or are static. */
  turnServers: IceServerOptions[];
  turnSecret?: TurnSecretOptions;
  /** Address announced as an extra host candidate beside the local ones, for a 1:1 NAT (cloud VMs). */
  publicIp?: string;
  /** UDP ports ICE may bind; undefined lets the OS pick. */
  udpPortRange?: [number, number];
  /** Bind ICE sockets to this address only (tests use 127.0.0.1; the machine may have other interfaces). */
  bindAddress?: string;
  /** RTP payload size for H.264 we send: stays below common path MTUs with SRTP and header extensions. */
  maxRtpPayloadSize?: number;
  /** How long a WHIP/WHEP resource may stay without ICE connection before it is dropped. */
  connectTimeoutMs?: number;
  /** ffmpeg binary for AAC ↔ Opus; `ffmpeg` on PATH when omitted. */
  ffmpegPath?: string;
  /**
   * Transcode WHIP publishers' Opus to AAC in the hub so HLS, RTMP and FLV can play it (WHEP
   * viewers still get the original Opus). Default true; false keeps Opus in the hub, one ffmpeg less.
   */
  transcodeWhipAudio?: boolean;
  /** How often WHIP publishers are asked for a keyframe (HLS segments and recordings cut on them); 0 never. */
  whipKeyframeIntervalMs?: number;
  /**
   * The WebRTC stack WHEP viewers run on: `native` (libdatachannel through node-datachannel: DTLS,
   * SRTP and ICE in native threads, about a third of the CPU per packet), `werift` (pure JS), or
   * `direct` (werift for ICE, DTLS and RTCP; media protected and sent by ZenLive's native SRTP
   * sender, a frame's packets per call with sendmmsg; Linux, built at install).
   */
  viewerTransport?: 'native' | 'werift' | 'direct';
  /**
   * Worker processes that native WHEP viewers are spread over (each gets a copy of the streams its
   * viewers watch, frame by frame); 0 or undefined keeps viewers in this process.
   */
  viewerWorkers?: number;
  /** Asked for a keyframe of `streamId` when no publisher of it is in this process (viewer workers ask the server). */
  requestKeyframe?: (streamId: string) => void;
  /** A publisher's own Opus for `streamId` when the publisher is not in this process (viewer workers get the server's WHIP publishers'). */
  opusSourceFor?: (streamId: string) => OpusSource | undefined;
}

/** Defaults for the options a caller may leave out. */
export const WEBRTC_DEFAULTS = {
  maxRtpPayloadSize: 1150,
  connectTimeoutMs: 15_000,
} as const;
