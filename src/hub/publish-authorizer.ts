/** What a publisher asked for, handed to the app's `authorizePublish` hook before anything is live. */
export interface PublishRequest {
  /** The key from the URL (rtmp://host/APP/KEY), without its query string. */
  streamKey: string;
  app: string;
  protocol: 'rtmp' | 'webrtc';
  remoteAddress: string;
  /** Query parameters from the publish URL, e.g. `?token=...`. */
  query: Readonly<Record<string, string>>;
}

/**
 * The hook's answer: true/false, or an object that can map the secret key to a public stream id
 * (viewers then watch `/live/<streamId>`) or give the publisher a reason.
 */
export type PublishDecision = boolean | { allow: true; streamId?: string } | { allow: false; reason?: string };

/** Decides who may publish; awaited before the stream is claimed, so it may look the key up anywhere. */
export type AuthorizePublish = (streamKey: string, request: PublishRequest) => PublishDecision | Promise<PublishDecision>;

/** Stream ids appear in URLs and file names: keep them to a safe alphabet. */
export const STREAM_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Normalises a hook decision to `{allow, streamId, reason}`. */
export function resolveDecision(decision: PublishDecision, streamKey: string): { allow: boolean; streamId: string; reason?: string } {
  if (decision === true) return { allow: true, streamId: streamKey };
  if (decision === false) return { allow: false, streamId: streamKey };
  if (decision.allow) return { allow: true, streamId: decision.streamId ?? streamKey };
  return { allow: false, streamId: streamKey, ...(decision.reason !== undefined ? { reason: decision.reason } : {}) };
}

/** What a player asked for, handed to the playback authorizer before any media is sent. */
export interface PlayRequest {
  streamId: string;
  protocol: 'rtmp' | 'flv' | 'ws-flv' | 'hls' | 'webrtc';
  remoteAddress: string;
  /** The playback token from the URL (`?token=`) or an `Authorization: Bearer` header, if any. */
  token: string | undefined;
}

/** Allowed, or refused with an HTTP-like status (401: no/expired credentials, 403: not allowed) and a reason. */
export type PlayDecision = { allow: true } | { allow: false; status: 401 | 403 | 404; reason: string };

/**
 * Decides who may watch a stream (private streams need a signed playback token). Synchronous on
 * purpose: it runs on every HLS playlist and segment request, so it must not touch the network.
 */
export type AuthorizePlay = (request: PlayRequest) => PlayDecision;
