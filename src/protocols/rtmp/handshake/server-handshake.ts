import { monotonicMs } from '../../../base/index.js';
import { findDigest, PLAYER_KEY_PUBLIC, SERVER_KEY, SERVER_KEY_PUBLIC, signResponse, writeDigest } from './digest.js';
import type { FoundDigest } from './digest.js';
import { HandshakeError } from './errors.js';
import { copyRandom, defaultRandom, echoPacket, EMPTY, firstPacket, handshakeTime, PACKET_SIZE, packetVersion, RTMP_VERSION } from './packet.js';
import type { HandshakeMode, HandshakeStep, RandomSource } from './types.js';

/** Options for `ServerHandshake`. */
export interface ServerHandshakeOptions {
  /** Random source for S1/S2 filler; defaults to the OS CSPRNG. */
  random?: RandomSource;
}

/** The version we put in a digest-form S1; ffmpeg checks S1's digest only when the first version byte is at least 3. */
const SERVER_VERSION = 0x04050001;

type State = 'c0' | 'c1' | 'c2' | 'done' | 'failed';

/** Incremental server side of the RTMP handshake: feed client bytes, write what it returns, stop when `done`. */
export class ServerHandshake {
  #state: State = 'c0';
  #mode: HandshakeMode | undefined;
  #failure: HandshakeError | undefined;
  // The only bytes ever held: C1 until it is complete. C2 is counted, never stored.
  readonly #c1 = Buffer.alloc(PACKET_SIZE);
  #c1Filled = 0;
  #c2Received = 0;
  readonly #random: RandomSource;
  readonly #epoch = monotonicMs();

  constructor(options: ServerHandshakeOptions = {}) {
    this.#random = options.random ?? defaultRandom;
  }

  /** Which form the client used, known once C1 is in. */
  get mode(): HandshakeMode | undefined {
    return this.#mode;
  }

  /** Bytes currently held waiting for the rest of C1; never more than 1536. */
  get bufferedBytes(): number {
    return this.#state === 'c1' ? this.#c1Filled : 0;
  }

  /** Consumes client bytes; throws `HandshakeError` if C0 is not version 3, and keeps throwing it afterwards. */
  push(bytes: Buffer): HandshakeStep {
    if (this.#failure) throw this.#failure;
    const send: Buffer[] = [];
    let pos = 0;

    if (this.#state === 'c0' && bytes.length > 0) {
      const version = bytes.readUInt8(0);
      if (version !== RTMP_VERSION) {
        // 6 and 8 are RTMPE, which needs a Diffie-Hellman exchange we do not offer.
        this.#failure = new HandshakeError(
          'unsupported-version',
          `unsupported RTMP version ${version} in C0: only version ${RTMP_VERSION} (plain RTMP) is accepted`,
        );
        this.#state = 'failed';
        throw this.#failure;
      }
      pos = 1;
      this.#state = 'c1';
    }

    if (this.#state === 'c1') {
      const copied = bytes.copy(this.#c1, this.#c1Filled, pos);
      this.#c1Filled += copied;
      pos += copied;
      if (this.#c1Filled === PACKET_SIZE) {
        // S0, S1 and S2 go out in one write: clients wait for S1 before sending C2, and many expect S2 right behind it.
        send.push(this.#respond());
        this.#state = 'c2';
      }
    }

    if (this.#state === 'c2') {
      // C2 is not checked: many clients echo S1 sloppily, and nothing depends on it.
      const taken = Math.min(PACKET_SIZE - this.#c2Received, bytes.length - pos);
      this.#c2Received += taken;
      pos += taken;
      if (this.#c2Received === PACKET_SIZE) this.#state = 'done';
    }

    if (this.#state !== 'done') return { send, done: false, rest: EMPTY };
    return { send, done: true, rest: pos === 0 ? bytes : bytes.subarray(pos) };
  }

  #respond(): Buffer {
    const now = handshakeTime(this.#epoch, monotonicMs());
    const c1 = this.#c1;
    // A zero version means the spec's simple form; a version with no valid digest is a client that only looks complex.
    const found = packetVersion(c1) === 0 ? undefined : findDigest(c1, PLAYER_KEY_PUBLIC);
    this.#mode = found ? 'digest' : 'simple';
    const s1 = firstPacket(now, found ? SERVER_VERSION : 0, this.#random);
    const s2 = found ? this.#digestS2(s1, found) : echoPacket(c1, now);
    return Buffer.concat([Buffer.from([RTMP_VERSION]), s1, s2]);
  }

  // Signs S1 in place in the client's scheme and returns the S2 that proves we read the client's digest.
  #digestS2(s1: Buffer, found: FoundDigest): Buffer {
    writeDigest(s1, found.scheme, SERVER_KEY_PUBLIC);
    const s2 = Buffer.alloc(PACKET_SIZE);
    copyRandom(s2, 0, this.#random);
    signResponse(s2, found.digest, SERVER_KEY);
    return s2;
  }
}
