import { ZenLiveError } from '../base/index.js';

/**
 * A chat request refused or malformed. `status` is the HTTP answer for REST callers; on the
 * WebSocket the same `code` goes back in an `error` frame.
 */
export abstract class ChatError extends ZenLiveError {
  abstract readonly status: number;
  /** Extra data for the client (e.g. retryAfterMs). */
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.details = details;
  }
}

/** A client frame that is not valid JSON or not a known v1 command; `offset` is 0 when unknown. */
export class ChatProtocolError extends ChatError {
  readonly code = 'CHAT_BAD_FRAME';
  readonly status = 400;
}

/** A client frame larger than the configured limit. */
export class ChatFrameTooLargeError extends ChatError {
  readonly code = 'CHAT_FRAME_TOO_LARGE';
  readonly status = 413;
  constructor(readonly bytes: number, readonly limit: number) {
    super(`frame of ${bytes} bytes exceeds ${limit}`, { limit });
  }
}

/** Writing (or reading, when anonymous reading is off) needs an identity. */
export class ChatAuthRequiredError extends ChatError {
  readonly code = 'CHAT_AUTH_REQUIRED';
  readonly status = 401;
}

/** The token did not map to an identity. */
export class ChatAuthFailedError extends ChatError {
  readonly code = 'CHAT_AUTH_FAILED';
  readonly status = 401;
}

/** The user's role does not allow the action. */
export class ChatForbiddenError extends ChatError {
  readonly code = 'CHAT_FORBIDDEN';
  readonly status = 403;
}

/** The user is banned from the room (or globally). */
export class ChatBannedError extends ChatError {
  readonly code = 'CHAT_BANNED';
  readonly status = 403;
}

/** The user is muted or timed out in the room. */
export class ChatMutedError extends ChatError {
  readonly code = 'CHAT_MUTED';
  readonly status = 403;
}

/** The per-user rate limit or the room's slow mode refused the message. */
export class ChatRateLimitedError extends ChatError {
  readonly code = 'CHAT_RATE_LIMITED';
  readonly status = 429;
  constructor(message: string, readonly retryAfterMs: number) {
    super(message, { retryAfterMs });
  }
}

/** The message repeats one just sent (duplicate suppression or unique-message mode). */
export class ChatDuplicateError extends ChatError {
  readonly code = 'CHAT_DUPLICATE';
  readonly status = 409;
}

/** The content is not allowed here: empty, too long, blocked term, profanity (reject mode), or not emotes in emote-only mode. */
export class ChatContentRejectedError extends ChatError {
  readonly code = 'CHAT_CONTENT_REJECTED';
  readonly status = 422;
}

/** The client used a room it has not joined, or a room id that is not valid. */
export class ChatRoomError extends ChatError {
  readonly code = 'CHAT_ROOM_INVALID';
  readonly status = 400;
}

/** A moderation target (message or user) that does not exist or a command with bad arguments. */
export class ChatBadCommandError extends ChatError {
  readonly code = 'CHAT_BAD_COMMAND';
  readonly status = 400;
}

/** An app's onMessage hook vetoed the message. */
export class ChatVetoedError extends ChatError {
  readonly code = 'CHAT_VETOED';
  readonly status = 422;
}
