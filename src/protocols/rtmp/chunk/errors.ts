import { ParseError } from '../../../base/index.js';

/** The peer sent chunk-stream bytes we cannot accept; the session carrying them is closed. */
export class ChunkParseError extends ParseError {
  override readonly code = 'RTMP_CHUNK_PARSE';
}

/** The peer declared a message or in-flight total above our limit. */
export class MessageTooLargeError extends ParseError {
  override readonly code = 'RTMP_MESSAGE_TOO_LARGE';
}
