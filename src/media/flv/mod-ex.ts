import { ParseError } from '../../base/index.js';

const MOD_EX = 7;

/**
 * Skips the E-RTMP v2 ModEx prefixes that may precede the real packet type (same layout for
 * audio and video): modExDataSize (UI8 + 1, or UI16 + 1 when that is 256), the data, then
 * modExType and the next packet type in one byte. Returns the final packet type and position.
 * Only TimestampOffsetNano is defined today, and sub-millisecond offsets do not matter to us.
 */
export function skipModEx(body: Buffer, packetType: number, pos: number): { packetType: number; pos: number } {
  while (packetType === MOD_EX) {
    const start = pos;
    if (pos >= body.length) throw new ParseError('ModEx size truncated', start);
    let size = body.readUInt8(pos++) + 1;
    if (size === 256) {
      if (pos + 2 > body.length) throw new ParseError('ModEx size truncated', start);
      size = body.readUInt16BE(pos) + 1;
      pos += 2;
    }
    pos += size;
    if (pos >= body.length) throw new ParseError('ModEx data truncated', start);
    packetType = body.readUInt8(pos++) & 0x0f;
  }
  return { packetType, pos };
}
