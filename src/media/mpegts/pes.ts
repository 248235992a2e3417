import { wrapTicks } from './ts-constants.js';

/** The timestamps and size of one PES packet header. */
export interface PesHeaderInit {
  /** stream_id: 0xE0 video, 0xC0 audio. */
  streamId: number;
  /** Presentation time in 90 kHz ticks, unwrapped (written modulo 2^33). */
  pts: number;
  /** Decode time in 90 kHz ticks; written only when it differs from `pts` after wrapping. */
  dts?: number;
  /** Bytes of elementary stream data that follow the header. */
  payloadLength: number;
}

const FIXED_HEADER_SIZE = 9;
const TIMESTAMP_SIZE = 5;
// bytes of PES_packet_length counts after itself: the flags bytes and PES_header_data_length
const AFTER_LENGTH_FIELD = 3;

/** True when the header will carry a DTS beside the PTS (§2.4.3.7: PTS_DTS_flags '11'). */
function hasDts(init: Pick<PesHeaderInit, 'pts' | 'dts'>): boolean {
  return init.dts !== undefined && wrapTicks(init.dts) !== wrapTicks(init.pts);
}

/** Size of the PES header `writePesHeader` writes for these timestamps: 14 bytes, or 19 with a DTS. */
export function pesHeaderSize(init: Pick<PesHeaderInit, 'pts' | 'dts'>): number {
  return FIXED_HEADER_SIZE + TIMESTAMP_SIZE * (hasDts(init) ? 2 : 1);
}

/**
 * Writes a 33-bit timestamp in its 5-byte PES form (§2.4.3.6): a 4-bit prefix, then bits 32..30,
 * 29..15 and 14..0, each group followed by a marker bit 1.
 */
export function writePesTimestamp(out: Buffer, pos: number, prefix: number, ticks: number): void {
  const t = wrapTicks(ticks);
  // 33 bits exceed JS bit operators, so split with division first
  const top = Math.floor(t / 2 ** 30);
  const middle = Math.floor(t / 2 ** 15) % 2 ** 15;
  const low = t % 2 ** 15;
  out[pos] = (prefix << 4) | (top << 1) | 1;
  out.writeUInt16BE((middle << 1) | 1, pos + 1);
  out.writeUInt16BE((low << 1) | 1, pos + 3);
}

/** Reads a 5-byte PES timestamp back into 90 kHz ticks (0 .. 2^33 - 1). */
export function readPesTimestamp(buf: Buffer, pos: number): number {
  const top = ((buf.readUInt8(pos) >> 1) & 0x07) * 2 ** 30;
  return top + (buf.readUInt16BE(pos + 1) >> 1) * 2 ** 15 + (buf.readUInt16BE(pos + 3) >> 1);
}

/**
 * Writes a PES packet header at `pos` and returns its size. PES_packet_length is 0 ("unbounded")
 * when the packet is longer than 16 bits can say, which §2.4.3.7 allows only for video in a TS.
 */
export function writePesHeader(out: Buffer, pos: number, init: PesHeaderInit): number {
  const dts = hasDts(init);
  const dataLength = TIMESTAMP_SIZE * (dts ? 2 : 1);
  const packetLength = AFTER_LENGTH_FIELD + dataLength + init.payloadLength;
  out[pos] = 0;
  out[pos + 1] = 0;
  out[pos + 2] = 1; // packet_start_code_prefix
  out[pos + 3] = init.streamId;
  out.writeUInt16BE(packetLength > 0xffff ? 0 : packetLength, pos + 4);
  out[pos + 6] = 0x84; // '10', not scrambled, priority 0, data_alignment_indicator 1: each PES starts an access unit
  out[pos + 7] = dts ? 0xc0 : 0x80; // PTS_DTS_flags, no ESCR, ES rate, trick mode, copy info, CRC or extension
  out[pos + 8] = dataLength;
  writePesTimestamp(out, pos + 9, dts ? 0x3 : 0x2, init.pts);
  if (dts && init.dts !== undefined) writePesTimestamp(out, pos + 14, 0x1, init.dts);
  return FIXED_HEADER_SIZE + dataLength;
}

/** Builds a PES header on its own (tests and tools; the muxer writes it in place). */
export function buildPesHeader(init: PesHeaderInit): Buffer {
  const out = Buffer.alloc(pesHeaderSize(init));
  writePesHeader(out, 0, init);
  return out;
}
