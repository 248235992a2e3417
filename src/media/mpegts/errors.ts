import { ZenLiveError } from '../../base/index.js';

/** A track codec the MPEG-TS muxer cannot carry (it writes H.264, H.265 and AAC). */
export class TsUnsupportedCodecError extends ZenLiveError {
  readonly code = 'MPEGTS_UNSUPPORTED_CODEC';

  constructor(
    readonly kind: 'video' | 'audio',
    readonly codec: string,
    options?: ErrorOptions,
  ) {
    super(`MPEG-TS cannot carry ${kind} codec ${codec}`, options);
  }
}
