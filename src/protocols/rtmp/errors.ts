import { ZenLiveError } from '../../base/index.js';

/** The peer sent a well-formed message we cannot act on (bad command arguments, wrong order). */
export class RtmpProtocolError extends ZenLiveError {
  readonly code = 'RTMP_PROTOCOL';
}

/** A connection was dropped for saying nothing (or sending no media) for too long. */
export class RtmpTimeoutError extends ZenLiveError {
  readonly code = 'RTMP_TIMEOUT';
}

/** The server or the app's hook refused a publish or play; `status` is the NetStream code sent. */
export class RtmpRefusedError extends ZenLiveError {
  readonly code = 'RTMP_REFUSED';
  constructor(
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}
