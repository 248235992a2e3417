import { ZenLiveError } from '../../base/index.js';

/** A request the HLS server cannot satisfy; carries the HTTP status to answer with. */
export class HlsRequestError extends ZenLiveError {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
