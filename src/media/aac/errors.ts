import { ZenLiveError } from '../../base/index.js';

/** An AAC configuration we cannot express in the requested form (ASC without PCE, ADTS limits). */
export class AacUnsupportedConfigError extends ZenLiveError {
  readonly code = 'AAC_UNSUPPORTED_CONFIG';

  constructor(
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`unsupported AAC configuration: ${detail}`, options);
  }
}
