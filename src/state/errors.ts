import { ZenLiveError } from '../base/index.js';

/** The shared-state back end failed or is closed: the caller's operation did not happen. */
export class StateUnavailableError extends ZenLiveError {
  readonly code = 'STATE_UNAVAILABLE';
  constructor(
    readonly operation: string,
    options?: ErrorOptions,
  ) {
    super(`shared state unavailable during ${operation}`, options);
  }
}
