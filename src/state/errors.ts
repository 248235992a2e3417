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

/** A compare-and-set kept losing to other writers of the same key: the caller's change did not happen. */
export class StateContentionError extends ZenLiveError {
  readonly code = 'STATE_CONTENDED';
  constructor(
    readonly key: string,
    readonly attempts: number,
  ) {
    super(`gave up changing ${key} after ${attempts} conflicting writes`);
  }
}
