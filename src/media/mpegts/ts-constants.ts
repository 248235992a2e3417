/** Size of every transport stream packet (ISO/IEC 13818-1 §2.4.3.2). */
export const TS_PACKET_SIZE = 188;
/** Bytes of a TS packet after its 4-byte header. */
export const TS_PAYLOAD_SIZE = 184;
/** The sync byte every TS packet starts with. */
export const TS_SYNC_BYTE = 0x47;

/** PIDs the muxer uses: the PAT's fixed PID and the values common HLS muxers pick. */
export const TsPid = { Pat: 0x0000, Pmt: 0x1000, Video: 0x0100, Audio: 0x0101, Null: 0x1fff } as const;

/** stream_type values of the PMT we write or recognise (ISO/IEC 13818-1 Table 2-34). */
export const TsStreamType = { Mpeg1Audio: 0x03, Mpeg2Audio: 0x04, AacAdts: 0x0f, H264: 0x1b, H265: 0x24 } as const;

/** PES stream_id values (§2.4.3.7 Table 2-22): the first video and first audio stream. */
export const PesStreamId = { Video: 0xe0, Audio: 0xc0 } as const;

/** PTS, DTS and PCR base count a 90 kHz clock modulo 2^33 (§2.4.3.7, §2.4.3.5). */
export const TIMESTAMP_MODULO = 2 ** 33;
/** Ticks of the 90 kHz clock per millisecond. */
export const TICKS_PER_MS = 90;

/** Milliseconds (any size, maybe fractional or negative) to 90 kHz ticks, unwrapped. */
export function msToTicks(ms: number): number {
  return Math.round(ms * TICKS_PER_MS);
}

/** Wraps 90 kHz ticks into the 33 bits a PES header or PCR base holds. */
export function wrapTicks(ticks: number): number {
  const wrapped = ticks % TIMESTAMP_MODULO;
  return wrapped < 0 ? wrapped + TIMESTAMP_MODULO : wrapped;
}

/** The forward distance from `from` to `to` on the 33-bit clock, in (-2^32, 2^32]: negative means `to` is earlier. */
export function tickDelta(from: number, to: number): number {
  const forward = wrapTicks(to - from);
  return forward > TIMESTAMP_MODULO / 2 ? forward - TIMESTAMP_MODULO : forward;
}
