/** What one `push` produced: bytes to write to the peer, whether the handshake is over, and the bytes that followed it. */
export interface HandshakeStep {
  /** Buffers to write to the peer, in order. */
  send: Buffer[];
  /** True once the handshake is complete; every later byte belongs to the chunk stream. */
  done: boolean;
  /** Bytes of this push that came after the handshake (the first chunk-stream bytes); empty until `done`. */
  rest: Buffer;
}

/** Which handshake form was used: the plain one of the RTMP spec, or the HMAC-digest one of Flash Player and FMS. */
export type HandshakeMode = 'simple' | 'digest';

/** Source of random bytes; injectable so tests are reproducible. */
export type RandomSource = (n: number) => Buffer;
