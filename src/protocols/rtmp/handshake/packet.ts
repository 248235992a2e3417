import { randomBytes } from 'node:crypto';
import type { RandomSource } from './types.js';

/** The only RTMP version byte (C0/S0) we speak: 3 is plain RTMP, 6 and 8 are RTMPE which we do not implement. */
export const RTMP_VERSION = 3;

/** Size of each of C1, S1, C2 and S2 (Adobe RTMP spec 1.0 §5.2.3). */
export const PACKET_SIZE = 1536;

/** A zero-length buffer shared by every step that has nothing to return. */
export const EMPTY = Buffer.alloc(0);

/** The default random source: the OS CSPRNG, since S1/C1 random bytes must be unpredictable to the peer. */
export const defaultRandom: RandomSource = (n) => randomBytes(n);

/** Milliseconds since `epoch`, wrapped to the 32 bits the handshake time fields hold. */
export function handshakeTime(epoch: number, now: number): number {
  return Math.floor(now - epoch) >>> 0;
}

/** Builds C1/S1: time, a 4-byte version field (zero in the simple form) and random filler (spec §5.2.3). */
export function firstPacket(time: number, version: number, random: RandomSource): Buffer {
  const packet = Buffer.alloc(PACKET_SIZE);
  packet.writeUInt32BE(time, 0);
  packet.writeUInt32BE(version, 4);
  copyRandom(packet, 8, random);
  return packet;
}

/** Builds C2/S2 in the simple form: the peer's time and random echoed, with our read time as time2 (spec §5.2.4). */
export function echoPacket(peer: Buffer, time2: number): Buffer {
  const packet = Buffer.from(peer.subarray(0, PACKET_SIZE));
  packet.writeUInt32BE(time2, 4);
  return packet;
}

/** Fills `packet` from `start` with random bytes, tolerating a random source that returns the wrong length. */
export function copyRandom(packet: Buffer, start: number, random: RandomSource): void {
  const bytes = random(packet.length - start);
  packet.fill(0, start);
  bytes.copy(packet, start, 0, Math.min(bytes.length, packet.length - start));
}

/** The 4-byte version field of C1/S1; zero means the peer chose the simple form. */
export function packetVersion(packet: Buffer): number {
  return packet.readUInt32BE(4);
}
