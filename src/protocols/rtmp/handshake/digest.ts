import { createHmac, timingSafeEqual } from 'node:crypto';
import { PACKET_SIZE } from './packet.js';

/** Which 4 bytes place the digest in a digest-form C1/S1: scheme 0 sums bytes 8..11, scheme 1 sums bytes 772..775. */
export type DigestScheme = 0 | 1;

/** Length of an HMAC-SHA256 digest. */
export const DIGEST_SIZE = 32;

// The 32 "secret" bytes Adobe appends to both key strings; public since librtmp documented them.
const KEY_TAIL = Buffer.from([
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
  0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
]);

const PLAYER_TEXT = Buffer.from('Genuine Adobe Flash Player 001', 'latin1');
const SERVER_TEXT = Buffer.from('Genuine Adobe Flash Media Server 001', 'latin1');

/** The 62-byte Flash Player key; its first 30 bytes sign C1, all of it keys the C2 signature. */
export const PLAYER_KEY = Buffer.concat([PLAYER_TEXT, KEY_TAIL]);
/** The 30-byte public part of the player key, which signs C1. */
export const PLAYER_KEY_PUBLIC = PLAYER_KEY.subarray(0, PLAYER_TEXT.length);
/** The 68-byte Flash Media Server key; its first 36 bytes sign S1, all of it keys the S2 signature. */
export const SERVER_KEY = Buffer.concat([SERVER_TEXT, KEY_TAIL]);
/** The 36-byte public part of the server key, which signs S1. */
export const SERVER_KEY_PUBLIC = SERVER_KEY.subarray(0, SERVER_TEXT.length);

// Each scheme owns a 764-byte half of the packet after the 8-byte header: 4 offset bytes, then
// 728 bytes in which the 32-byte digest can start, so the digest never leaves its half.
const OFFSET_BASE: Record<DigestScheme, number> = { 0: 8, 1: 772 };
const OFFSET_MODULO = 728;

/** Where the digest of `packet` starts under `scheme`, from the sum of that scheme's 4 offset bytes. */
export function digestOffset(packet: Buffer, scheme: DigestScheme): number {
  const base = OFFSET_BASE[scheme];
  const sum = packet.readUInt8(base) + packet.readUInt8(base + 1) + packet.readUInt8(base + 2) + packet.readUInt8(base + 3);
  return (sum % OFFSET_MODULO) + base + 4;
}

/** HMAC-SHA256 of the concatenated `parts`. */
export function hmacSha256(key: Buffer, ...parts: Buffer[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

// The digest covers the whole packet except the 32 bytes where it is stored.
function computeDigest(packet: Buffer, offset: number, key: Buffer): Buffer {
  return hmacSha256(key, packet.subarray(0, offset), packet.subarray(offset + DIGEST_SIZE, PACKET_SIZE));
}

/** Signs a C1/S1 in place under `scheme` with `key` and returns the digest written. */
export function writeDigest(packet: Buffer, scheme: DigestScheme, key: Buffer): Buffer {
  const offset = digestOffset(packet, scheme);
  const digest = computeDigest(packet, offset, key);
  digest.copy(packet, offset);
  return digest;
}

/** A digest found in a C1/S1 and the scheme it was found under. */
export interface FoundDigest {
  scheme: DigestScheme;
  digest: Buffer;
}

/** Looks for a valid digest signed with `key`, under scheme 1 and then scheme 0. */
export function findDigest(packet: Buffer, key: Buffer): FoundDigest | undefined {
  // Peers do not announce their scheme; a wrong scheme matching by chance is a 2^-256 event.
  for (const scheme of [1, 0] as const) {
    const offset = digestOffset(packet, scheme);
    const stored = packet.subarray(offset, offset + DIGEST_SIZE);
    if (timingSafeEqual(computeDigest(packet, offset, key), stored)) {
      return { scheme, digest: Buffer.from(stored) };
    }
  }
  return undefined;
}

// The signing key of C2/S2 is derived from the peer's digest, which proves we read its C1/S1.
function responseSignature(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): Buffer {
  return hmacSha256(hmacSha256(fullKey, peerDigest), packet.subarray(0, PACKET_SIZE - DIGEST_SIZE));
}

/** Signs a C2/S2 in place: its last 32 bytes become HMAC(HMAC(fullKey, peerDigest), the first 1504 bytes). */
export function signResponse(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): void {
  responseSignature(packet, peerDigest, fullKey).copy(packet, PACKET_SIZE - DIGEST_SIZE);
}

/** Checks the signature `signResponse` would have written. */
export function verifyResponse(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): boolean {
  return timingSafeEqual(responseSignature(packet, peerDigest, fullKey), packet.subarray(PACKET_SIZE - DIGEST_SIZE, PACKET_SIZE));
}
