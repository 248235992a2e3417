import { ZenLiveError } from '../../base/index.js';

/** A publisher sent a codec we do not carry (e.g. Sorenson H.263, Speex, a multitrack stream). */
export class FlvUnsupportedCodecError extends ZenLiveError {
  readonly code = 'FLV_UNSUPPORTED_CODEC';

  constructor(
    readonly kind: 'video' | 'audio',
    /** Legacy codec name/id or the FourCC, as the publisher sent it. */
    readonly codec: string,
    options?: ErrorOptions,
  ) {
    super(`unsupported FLV ${kind} codec: ${codec}`, options);
  }
}

/** A frame cannot be expressed as an FLV tag (oversized body, composition offset beyond 24 bits). */
export class FlvEncodeError extends ZenLiveError {
  readonly code = 'FLV_ENCODE';
}
