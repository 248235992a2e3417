import { ParseError, ZenLiveError } from '../../../base/index.js';

/** AMF bytes that cannot be decoded; `offset` is the byte where decoding gave up. */
export class AmfParseError extends ParseError {
  override readonly code: string = 'RTMP_AMF_PARSE';
}

/** A JS value that AMF cannot carry (a function, a key too long, a structure nested too deep). */
export class AmfEncodeError extends ZenLiveError {
  readonly code = 'RTMP_AMF_ENCODE';
}
