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
