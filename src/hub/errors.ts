import { ZenLiveError } from '../base/index.js';
import type { StreamState } from './stream-state.js';

/** A state change the stream lifecycle does not allow (e.g. ENDED → LIVE). */
export class IllegalTransitionError extends ZenLiveError {
  readonly code = 'STREAM_ILLEGAL_TRANSITION';
  constructor(
    readonly streamId: string,
    readonly from: StreamState,
    readonly to: StreamState,
  ) {
    super(`stream ${streamId} cannot go from ${from} to ${to}`);
  }
}

/** A second publisher asked for a stream id that is already being published. */
export class StreamAlreadyPublishingError extends ZenLiveError {
  readonly code = 'STREAM_ALREADY_PUBLISHING';
  constructor(readonly streamId: string) {
    super(`stream ${streamId} is already being published`);
  }
}

/** No live stream has this id. */
export class StreamNotFoundError extends ZenLiveError {
  readonly code = 'STREAM_NOT_FOUND';
  constructor(readonly streamId: string) {
    super(`stream ${streamId} is not live`);
  }
}
