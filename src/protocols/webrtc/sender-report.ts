/** Milliseconds from the NTP epoch (1900) to the Unix epoch. */
const NTP_EPOCH_OFFSET_MS = 2_208_988_800_000;

/** A wall-clock time (ms since 1970) as a 64-bit NTP timestamp: seconds since 1900 and a binary fraction. */
export function ntpTimestamp(unixMs: number): bigint {
  const ms = unixMs + NTP_EPOCH_OFFSET_MS;
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds) << 32n) | BigInt(fraction);
}

/** What one sender report says of a stream (RFC 3550 §6.4.1). */
export interface SenderInfo {
  ssrc: number;
  /** Wall-clock time (ms since 1970) at which the stream's clock read `rtpTimestamp`. */
  atUnixMs: number;
  rtpTimestamp: number;
  packets: number;
  octets: number;
  cname: string;
}

/**
 * A compound RTCP packet for one stream: a sender report without report blocks, then an SDES chunk
 * with its CNAME (RFC 3550 §6.1: every compound packet carries one), for stacks that hand RTCP to
 * the transport as they get it.
 */
export function buildSenderReport(info: SenderInfo): Buffer {
  const cname = Buffer.from(info.cname, 'utf8').subarray(0, 255);
  // SDES chunk: SSRC, CNAME item (type, length, text), a null item, padded to 32 bits
  const chunk = 4 + 2 + cname.length + 1;
  const sdesLength = 4 + chunk + ((4 - (chunk % 4)) % 4);
  const out = Buffer.alloc(28 + sdesLength);
  out[0] = 0x80;
  out[1] = 200;
  out.writeUInt16BE(28 / 4 - 1, 2);
  out.writeUInt32BE(info.ssrc >>> 0, 4);
  out.writeBigUInt64BE(ntpTimestamp(info.atUnixMs), 8);
  out.writeUInt32BE(info.rtpTimestamp >>> 0, 16);
  out.writeUInt32BE(info.packets >>> 0, 20);
  out.writeUInt32BE(info.octets >>> 0, 24);
  out[28] = 0x81;
  out[29] = 202;
  out.writeUInt16BE(sdesLength / 4 - 1, 30);
  out.writeUInt32BE(info.ssrc >>> 0, 32);
  out[36] = 1;
  out[37] = cname.length;
  cname.copy(out, 38);
  return out;
}

/**
 * The round trip a receiver report tells (RFC 3550 §6.4.1): arrival time minus the sender report
 * it answers (LSR) minus the receiver's delay since (DLSR), all in the middle 32 bits of NTP time;
 * undefined when it answers no report of ours yet.
 */
export function roundTripMs(report: { lastSenderReport: number; delaySinceLastSenderReport: number }, arrivedUnixMs: number): number | undefined {
  if (report.lastSenderReport === 0) return undefined;
  const now = Number((ntpTimestamp(arrivedUnixMs) >> 16n) & 0xffffffffn);
  // signed: on a short path the units' rounding can put it a hair below zero
  const rtt = (now - report.lastSenderReport - report.delaySinceLastSenderReport) | 0;
  // below -10 ms or over a minute is a clock or packet mix-up, not a path
  if (rtt < -655 || rtt > 60 * 65536) return undefined;
  return (Math.max(0, rtt) / 65536) * 1000;
}
