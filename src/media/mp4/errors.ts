import { ZenLiveError } from '../../base/index.js';

/** Input the fMP4 muxer cannot express: an unsupported codec, a box field out of range, no samples. */
export class Mp4MuxError extends ZenLiveError {
  readonly code = 'MP4_MUX';

  constructor(
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`fMP4 muxing failed: ${detail}`, options);
  }
}
