import { monotonicMs } from '../../../base/index.js';
import { findDigest, PLAYER_KEY, PLAYER_KEY_PUBLIC, SERVER_KEY_PUBLIC, signResponse, writeDigest } from './digest.js';
import type { DigestScheme } from './digest.js';
import { HandshakeError } from './errors.js';
import { copyRandom, defaultRandom, echoPacket, EMPTY, firstPacket, handshakeTime, PACKET_SIZE, packetVersion, RTMP_VERSION } from './packet.js';
import type { HandshakeMode, HandshakeStep, RandomSource } from './types.js';

/** Options for `ClientHandshake`. */
export interface ClientHandshakeOptions {
  /** Send a digest-form C1 as Flash Player and ffmpeg do; default true. */
  digest?: boolean;
  /** Where the C1 digest goes; default 0, the scheme ffmpeg uses. */
  scheme?: DigestScheme;
  /** Random source for C1/C2 filler; defaults to the OS CSPRNG. */
  random?: RandomSource;
}

/** The version we announce in a digest-form C1 (Flash Player 9.0.124.2, which servers recognise). */
const CLIENT_VERSION = 0x09007c02;

type State = 'idle' | 's0' | 's1' | 's2' | 'done' | 'failed';

/** Incremental client side of the RTMP handshake: write `start()`, feed server bytes, write what `push` returns. */
export class ClientHandshake {
  #state: State = 'idle';
  #mode: HandshakeMode | undefined;
  #failure: HandshakeError | undefined;
  // The only bytes ever held: S1 until it is complete. S2 is counted, never stored.
  readonly #s1 = Buffer.alloc(PACKET_SIZE);
  #s1Filled = 0;
  #s2Received = 0;
  readonly #digest: boolean;
  readonly #scheme: DigestScheme;
  readonly #random: RandomSource;
  readonly #epoch = monotonicMs();

  constructor(options: ClientHandshakeOptions = {}) {
    this.#digest = options.digest ?? true;
    this.#scheme = options.scheme ?? 0;
    this.#random = options.random ?? defaultRandom;
  }

  /** Which form the server answered in, known once S1 is in. */
  get mode(): HandshakeMode | undefined {
    return this.#mode;
  }

  /** Bytes currently held waiting for the rest of S1; never more than 1536. */
  get bufferedBytes(): number {
    return this.#state === 's1' ? this.#s1Filled : 0;
  }

  /** Returns C0+C1, to be written before anything else; calling it twice is a misuse. */
  start(): Buffer {
    if (this.#state !== 'idle') throw new HandshakeError('misuse', 'ClientHandshake.start() called twice');
    this.#state = 's0';
    const c1 = firstPacket(handshakeTime(this.#epoch, monotonicMs()), this.#digest ? CLIENT_VERSION : 0, this.#random);
    if (this.#digest) writeDigest(c1, this.#scheme, PLAYER_KEY_PUBLIC);
    return Buffer.concat([Buffer.from([RTMP_VERSION]), c1]);
  }

  /** Consumes server bytes; throws `HandshakeError` on a wrong S0 version or a forged S1 digest. */
  push(bytes: Buffer): HandshakeStep {
    if (this.#failure) throw this.#failure;
    if (this.#state === 'idle') throw new HandshakeError('misuse', 'ClientHandshake.push() called before start()');
    const send: Buffer[] = [];
    let pos = 0;

    if (this.#state === 's0' && bytes.length > 0) {
      const version = bytes.readUInt8(0);
      if (version !== RTMP_VERSION) {
        this.#fail('unsupported-version', `server answered RTMP version ${version} in S0: only version ${RTMP_VERSION} is accepted`);
      }
      pos = 1;
      this.#state = 's1';
    }

    if (this.#state === 's1') {
      const copied = bytes.copy(this.#s1, this.#s1Filled, pos);
      this.#s1Filled += copied;
      pos += copied;
      if (this.#s1Filled === PACKET_SIZE) {
        // Spec §5.2.2: C2 may go as soon as S1 is in; waiting for S2 would cost a round trip with some servers.
        send.push(this.#c2());
        this.#state = 's2';
      }
    }

    if (this.#state === 's2') {
      // S2 is not checked, like ffmpeg when publishing: servers differ in what they put there.
      const taken = Math.min(PACKET_SIZE - this.#s2Received, bytes.length - pos);
      this.#s2Received += taken;
      pos += taken;
      if (this.#s2Received === PACKET_SIZE) this.#state = 'done';
    }

    if (this.#state !== 'done') return { send, done: false, rest: EMPTY };
    return { send, done: true, rest: pos === 0 ? bytes : bytes.subarray(pos) };
  }

  #c2(): Buffer {
    const s1 = this.#s1;
    // A server answering with a zero version chose the simple form, which is legitimate even to a digest C1.
    if (!this.#digest || packetVersion(s1) === 0) {
      this.#mode = 'simple';
      return echoPacket(s1, handshakeTime(this.#epoch, monotonicMs()));
    }
    const found = findDigest(s1, SERVER_KEY_PUBLIC);
    if (!found) this.#fail('bad-digest', 'server S1 claims the digest form but carries no valid FMS digest');
    this.#mode = 'digest';
    const c2 = Buffer.alloc(PACKET_SIZE);
    copyRandom(c2, 0, this.#random);
    signResponse(c2, found.digest, PLAYER_KEY);
    return c2;
  }

  #fail(reason: 'unsupported-version' | 'bad-digest', message: string): never {
    this.#state = 'failed';
    this.#failure = new HandshakeError(reason, message);
    throw this.#failure;
  }
}
