import { ZenLiveError } from '../base/index.js';

/** A token that is missing, malformed, expired, tampered, of the wrong kind or for someone else. */
export class InvalidTokenError extends ZenLiveError {
  readonly code = 'AUTH_INVALID_TOKEN';
}

/** A refresh token was used twice: its whole session family is revoked. */
export class RefreshTokenReusedError extends ZenLiveError {
  readonly code = 'AUTH_REFRESH_REUSED';
  constructor(readonly sessionId: string) {
    super('refresh token was already used; the session is revoked, sign in again');
  }
}

/** Username or password wrong (never says which). */
export class InvalidCredentialsError extends ZenLiveError {
  readonly code = 'AUTH_INVALID_CREDENTIALS';
  constructor() {
    super('invalid username or password');
  }
}

/** The request needs credentials it did not bring. */
export class AuthenticationRequiredError extends ZenLiveError {
  readonly code = 'AUTH_REQUIRED';
}

/** The caller is known but may not do this. */
export class ForbiddenError extends ZenLiveError {
  readonly code = 'AUTH_FORBIDDEN';
}

/** Too many failures from this account or address: try again after `retryAfterSeconds`. */
export class ThrottledError extends ZenLiveError {
  readonly code = 'AUTH_THROTTLED';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed attempts; retry in ${retryAfterSeconds} s`);
  }
}

/** Start-up refused: a signing secret is empty, a known default or too short for production. */
export class WeakSecretError extends ZenLiveError {
  readonly code = 'AUTH_WEAK_SECRET';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`${key}: ${reason}`);
  }
}

/** A configured signing key cannot be used (unknown alg, missing or unreadable key material). */
export class SigningKeyError extends ZenLiveError {
  readonly code = 'AUTH_SIGNING_KEY_INVALID';
  constructor(
    readonly kid: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`signing key ${kid}: ${reason}`, options);
  }
}

export class UserExistsError extends ZenLiveError {
  readonly code = 'USER_EXISTS';
  constructor(readonly username: string) {
    super(`user ${username} already exists`);
  }
}

export class UserNotFoundError extends ZenLiveError {
  readonly code = 'USER_NOT_FOUND';
  constructor(readonly userId: string) {
    super(`no user ${userId}`);
  }
}

export class SessionNotFoundError extends ZenLiveError {
  readonly code = 'SESSION_NOT_FOUND';
  constructor(readonly sessionId: string) {
    super(`no session ${sessionId}`);
  }
}

/** A managed stream (created through the API) that does not exist. */
export class ManagedStreamNotFoundError extends ZenLiveError {
  readonly code = 'STREAM_NOT_FOUND';
  constructor(readonly streamId: string) {
    super(`no stream ${streamId}`);
  }
}

export class ManagedStreamExistsError extends ZenLiveError {
  readonly code = 'STREAM_EXISTS';
  constructor(readonly streamId: string) {
    super(`stream ${streamId} already exists`);
  }
}
