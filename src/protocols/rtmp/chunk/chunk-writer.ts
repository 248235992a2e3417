const EXTENDED = 0xffffff;
const TWO_POW_32 = 4294967296;

function basicHeaderLength(csid: number): number {
  return csid < 64 ? 1 : csid < 320 ? 2 : 3;
}

function writeBasicHeader(out: Buffer, pos: number, fmt: number, csid: number): number {
  if (csid < 64) {
    out[pos] = (fmt << 6) | csid;
    return pos + 1;
  }
  if (csid < 320) {
    out[pos] = fmt << 6;
    out[pos + 1] = csid - 64;
    return pos + 2;
  }
  out[pos] = (fmt << 6) | 1;
  out.writeUInt16LE(csid - 64, pos + 1);
  return pos + 3;
}

/**
 * Encodes one message as a type 0 chunk followed by type 3 continuations, in one allocation.
 * Every message carries its absolute timestamp, so the bytes stand alone and can be written
 * unchanged to every player that shares the chunk size and message stream id.
 */
export function encodeChunks(csid: number, typeId: number, timestamp: number, streamId: number, payload: Buffer, chunkSize: number): Buffer {
  const ts = timestamp >= 0 && timestamp < TWO_POW_32 ? Math.floor(timestamp) : ((Math.floor(timestamp) % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
  const extended = ts >= EXTENDED;
  const basic = basicHeaderLength(csid);
  const chunks = Math.max(1, Math.ceil(payload.length / chunkSize));
  const continuationHeader = basic + (extended ? 4 : 0);
  const size = basic + 11 + (extended ? 4 : 0) + payload.length + (chunks - 1) * continuationHeader;
  const out = Buffer.allocUnsafe(size);

  let pos = writeBasicHeader(out, 0, 0, csid);
  out.writeUIntBE(extended ? EXTENDED : ts, pos, 3);
  out.writeUIntBE(payload.length, pos + 3, 3);
  out[pos + 6] = typeId;
  out.writeUInt32LE(streamId >>> 0, pos + 7);
  pos += 11;
  if (extended) pos = out.writeUInt32BE(ts, pos);

  let offset = 0;
  for (let i = 0; i < chunks; i++) {
    if (i > 0) {
      pos = writeBasicHeader(out, pos, 3, csid);
      // RTMP spec errata, as ffmpeg and Flash do: type 3 chunks repeat the extended timestamp.
      if (extended) pos = out.writeUInt32BE(ts, pos);
    }
    const n = Math.min(chunkSize, payload.length - offset);
    payload.copy(out, pos, offset, offset + n);
    pos += n;
    offset += n;
  }
  return out;
}
