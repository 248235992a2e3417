import { ZenLiveError } from '../../../base/index.js';

/** Stable codes of the room signaling protocol, sent to the client in `error` frames. */
export type RoomErrorCode =
  | 'ROOM_BAD_FRAME'
  | 'ROOM_UNAUTHORIZED'
  | 'ROOM_FORBIDDEN'
  | 'ROOM_NOT_JOINED'
  | 'ROOM_ALREADY_JOINED'
  | 'ROOM_FULL'
  | 'ROOM_PARTICIPANT_NOT_FOUND'
  | 'ROOM_NOTHING_PUBLISHED'
  | 'ROOM_SUBSCRIPTION_NOT_FOUND'
  | 'ROOM_BAD_SDP'
  | 'ROOM_CODEC_NOT_ACCEPTABLE';

/** A signaling request we refuse; the connection stays open unless the code says otherwise. */
export class RoomError extends ZenLiveError {
  constructor(
    readonly code: RoomErrorCode,
    message: string,
    options?: ErrorOptions & { ref?: string },
  ) {
    super(message, options);
    this.ref = options?.ref;
  }

  /** The `ref` of the frame refused, when it could be read, so the client can match the error. */
  readonly ref: string | undefined;
}
