import { ZenLiveError } from '../../../base/index.js';

/** Why a handshake failed, for callers that count or log failures by kind. */
export type HandshakeFailure = 'unsupported-version' | 'bad-digest' | 'misuse';

/** The peer's handshake bytes cannot lead to an RTMP session (wrong version, forged digest) or the API was misused. */
export class HandshakeError extends ZenLiveError {
  readonly code = 'RTMP_HANDSHAKE';

  constructor(
    readonly reason: HandshakeFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
