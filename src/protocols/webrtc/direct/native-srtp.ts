import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** An SRTP stream kept natively: session keys, SSRC, payload type, the socket and where it sends. */
export type NativeSrtpTrack = { readonly __nativeSrtpTrack: unique symbol };

/** SRTP protection profiles (RFC 5764 / RFC 7714 numbers, as werift names them). */
export const SrtpProfile = { AesCm128HmacSha1_80: 1, AeadAes128Gcm: 7 } as const;
export type SrtpProfileId = (typeof SrtpProfile)[keyof typeof SrtpProfile];

/** The native SRTP sender (native/srtp-send): protect and sendmmsg many packets per call. */
export interface NativeSrtp {
  create(profile: SrtpProfileId, sessionKey: Buffer, sessionSalt: Buffer, authKey: Buffer, fd: number, host: string, port: number, ssrc: number, payloadType: number): NativeSrtpTrack;
  /** Moves the stream to another socket or peer address (a new ICE pair); keys and rollover counter stay. */
  setPath(track: NativeSrtpTrack, fd: number, host: string, port: number): void;
  /** Sends the payloads with consecutive sequence numbers from `firstSeq`; returns how many the kernel took. */
  sendMany(track: NativeSrtpTrack, payloads: readonly Buffer[], firstSeq: number, timestamp: number, markerOnLast: boolean): number;
  /** [packets, bytes, dropped] so far. */
  stats(track: NativeSrtpTrack): [number, number, number];
}

const ADDON = fileURLToPath(new URL('../../../../native/srtp-send/build/srtp_send.node', import.meta.url));

let loaded: NativeSrtp | undefined;

/** Why the native sender cannot be used here (missing, or built for another Node), or undefined when it can. */
export function nativeSrtpUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the native SRTP sender is Linux-only';
  if (!existsSync(ADDON)) return `the native SRTP sender is not built (${ADDON} missing: run "node scripts/build-native.mjs")`;
  try {
    loadNativeSrtp();
    return undefined;
  } catch (err) {
    return `the native SRTP sender failed to load: ${(err as Error).message}`;
  }
}

/** Loads the addon once; throws with the reason when it is not there. */
export function loadNativeSrtp(): NativeSrtp {
  if (loaded !== undefined) return loaded;
  if (process.platform !== 'linux' || !existsSync(ADDON)) throw new Error(`the native SRTP sender is not available (${ADDON})`);
  loaded = createRequire(import.meta.url)(ADDON) as NativeSrtp;
  return loaded;
}
