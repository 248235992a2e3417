import { readTransportFeedback, type TransportFeedback } from './sfu/index.js';

/** What one compound RTCP packet from a viewer says about one of our streams. */
export interface RtcpFeedbackSummary {
  /** A picture loss indication or full intra request: the viewer wants a keyframe. */
  keyframe: boolean;
  /** From a receiver report block about `ssrc`, when there was one. */
  report?: { fractionLost: number; packetsLost: number; jitter: number; lastSenderReport: number; delaySinceLastSenderReport: number };
  /** A REMB (draft-alvestrand-rmcat-remb): the receiver's bandwidth estimate, bit/s. */
  rembBps?: number;
  /** Sequence numbers of our packets the receiver asks for again (RFC 4585 generic NACK). */
  nacks?: number[];
  /** Transport-wide CC feedback (arrival times of our packets), when the receiver sent one. */
  transportFeedback?: TransportFeedback;
}

/**
 * Reads the parts of a compound RTCP packet a sender acts on (RFC 3550 receiver reports, RFC 4585
 * PLI and generic NACK, RFC 5104 FIR, transport-wide CC feedback), for peers whose stack hands RTCP to us raw. Anything malformed ends the walk;
 * it never throws.
 */
export function readRtcpFeedback(buf: Buffer, ssrc: number): RtcpFeedbackSummary {
  const out: RtcpFeedbackSummary = { keyframe: false };
  let pos = 0;
  while (pos + 4 <= buf.length) {
    const b0 = buf[pos] as number;
    if (b0 >> 6 !== 2) break;
    const count = b0 & 0x1f;
    const type = buf[pos + 1] as number;
    const length = (buf.readUInt16BE(pos + 2) + 1) * 4;
    if (pos + length > buf.length) break;
    if (type === 206 && (count === 1 || count === 4)) out.keyframe = true;
    // generic NACK (RTPFB, FMT 1) about our stream: each FCI names a packet id and a bitmask of the 16 after it
    if (type === 205 && count === 1 && length >= 16 && buf.readUInt32BE(pos + 8) === ssrc) {
      const nacks = (out.nacks ??= []);
      for (let fci = pos + 12; fci + 4 <= pos + length; fci += 4) {
        const pid = buf.readUInt16BE(fci);
        const blp = buf.readUInt16BE(fci + 2);
        nacks.push(pid);
        for (let bit = 0; bit < 16; bit++) if (blp & (1 << bit)) nacks.push((pid + bit + 1) & 0xffff);
      }
    }
    // transport-wide CC (RTPFB, FMT 15): about every packet of the transport, whichever SSRC it names
    if (type === 205 && count === 15) {
      const fb = readTransportFeedback(buf, pos, length);
      if (fb !== undefined) out.transportFeedback = fb;
    }
    // REMB: application-layer feedback (FMT 15) whose FCI starts with "REMB", then an 8-bit SSRC count,
    // a 6-bit exponent and an 18-bit mantissa
    if (type === 206 && count === 15 && length >= 20 && buf.toString('latin1', pos + 12, pos + 16) === 'REMB') {
      const exp = (buf[pos + 17] as number) >> 2;
      const mantissa = (((buf[pos + 17] as number) & 0x03) << 16) | buf.readUInt16BE(pos + 18);
      out.rembBps = mantissa * 2 ** exp;
    }
    // a receiver report (201) has its blocks after 8 bytes, a sender report (200) after 28
    if (type === 200 || type === 201) {
      const first = pos + (type === 200 ? 28 : 8);
      for (let i = 0; i < count; i++) {
        const block = first + i * 24;
        if (block + 24 > pos + length) break;
        if (buf.readUInt32BE(block) !== ssrc) continue;
        const lost = buf.readIntBE(block + 5, 3);
        out.report = {
          fractionLost: (buf[block + 4] as number) / 256,
          packetsLost: lost,
          jitter: buf.readUInt32BE(block + 12),
          // LSR: the middle 32 bits of our last report's NTP time; DLSR: the receiver's delay since, in 1/65536 s
          lastSenderReport: buf.readUInt32BE(block + 16),
          delaySinceLastSenderReport: buf.readUInt32BE(block + 20),
        };
      }
    }
    pos += length;
  }
  return out;
}
