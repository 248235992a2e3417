import { ZenLiveError } from '../../base/index.js';

/** Stable codes of the WHIP/WHEP endpoints, each with the HTTP status it is answered with. */
export const WebRtcErrorStatus = {
  WEBRTC_BAD_SDP: 400,
  WEBRTC_BAD_REQUEST: 400,
  WEBRTC_UNAUTHORIZED: 401,
  WEBRTC_FORBIDDEN: 403,
  WEBRTC_STREAM_NOT_FOUND: 404,
  WEBRTC_SESSION_NOT_FOUND: 404,
  WEBRTC_CODEC_NOT_ACCEPTABLE: 406,
  WEBRTC_STREAM_BUSY: 409,
  WEBRTC_PRECONDITION_FAILED: 412,
  WEBRTC_UNSUPPORTED_MEDIA_TYPE: 415,
  WEBRTC_NEGOTIATION_FAILED: 500,
  /** RFC 9725 §4.3.2: an ICE restart the session cannot do is refused and the session kept as it is. */
  WEBRTC_ICE_RESTART_UNSUPPORTED: 501,
} as const;

export type WebRtcErrorCode = keyof typeof WebRtcErrorStatus;

/** A WHIP/WHEP request we refuse; the route answers with `status` and the common JSON error shape. */
export class WebRtcRequestError extends ZenLiveError {
  readonly status: number;

  constructor(
    readonly code: WebRtcErrorCode,
    message: string,
    options?: ErrorOptions & { details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.status = WebRtcErrorStatus[code];
    this.details = options?.details ?? {};
  }

  readonly details: Record<string, unknown>;
}

/** A WHEP offer we cannot play into: the answer carries our own offer the player may use instead. */
export class WhepCounterOfferError extends WebRtcRequestError {
  constructor(
    message: string,
    readonly counterOffer: string,
    /** The resource the player PATCHes its answer to. */
    readonly resourceId: string,
  ) {
    super('WEBRTC_CODEC_NOT_ACCEPTABLE', message);
  }
}

/** A WebRTC setting that cannot work on this machine (start-up stops with it, naming the key). */
export class WebRtcConfigError extends ZenLiveError {
  readonly code = 'WEBRTC_CONFIG';
}
