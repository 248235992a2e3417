/** RFC 6184 §5.4: NAL unit types that only exist in RTP payloads. */
export const H264RtpNalType = {
  StapA: 24,
  StapB: 25,
  Mtap16: 26,
  Mtap24: 27,
  FuA: 28,
  FuB: 29,
} as const;

/** Smallest payload size the packetizer accepts: an FU-A needs 2 header bytes plus at least 1 byte of NAL. */
export const MIN_H264_PAYLOAD_SIZE = 3;

/**
 * Splits one H.264 access unit into RTP payloads (RFC 6184, packetization-mode 1, non-interleaved):
 * NAL units that fit together go into STAP-A packets, one that fits alone is sent as a single NAL
 * unit packet, and larger ones are cut into FU-A fragments. The caller sets the marker bit on the
 * last payload (RFC 6184 §5.1: the last packet of the access unit). Empty NAL units are skipped.
 */
export function packetizeH264(nalUnits: readonly Buffer[], maxPayloadSize: number): Buffer[] {
  if (!Number.isInteger(maxPayloadSize) || maxPayloadSize < MIN_H264_PAYLOAD_SIZE) {
    throw new RangeError(`H.264 RTP payload size ${maxPayloadSize} is below ${MIN_H264_PAYLOAD_SIZE}`);
  }
  const out: Buffer[] = [];
  let group: Buffer[] = [];
  // STAP-A size so far: its 1-byte header plus a 2-byte size per NAL unit
  let groupSize = 1;

  const flush = (): void => {
    if (group.length === 1) out.push(group[0] as Buffer);
    else if (group.length > 1) out.push(buildStapA(group, groupSize));
    group = [];
    groupSize = 1;
  };

  for (const nal of nalUnits) {
    if (nal.length === 0) continue;
    if (nal.length > maxPayloadSize) {
      flush();
      fragmentFuA(nal, maxPayloadSize, out);
      continue;
    }
    // a STAP-A unit size is 16 bits; anything larger goes alone
    const fitsStap = nal.length <= 0xffff && groupSize + 2 + nal.length <= maxPayloadSize;
    if (!fitsStap) flush();
    group.push(nal);
    groupSize += 2 + nal.length;
  }
  flush();
  return out;
}

function buildStapA(units: readonly Buffer[], size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  // RFC 6184 §5.7.1: F is the OR of the units' F bits, NRI the highest NRI among them
  let f = 0;
  let nri = 0;
  let pos = 1;
  for (const nal of units) {
    const h = nal[0] as number;
    f |= h & 0x80;
    nri = Math.max(nri, h & 0x60);
    pos = out.writeUInt16BE(nal.length, pos);
    pos += nal.copy(out, pos);
  }
  out[0] = f | nri | H264RtpNalType.StapA;
  return out;
}

function fragmentFuA(nal: Buffer, maxPayloadSize: number, out: Buffer[]): void {
  const header = nal[0] as number;
  // RFC 6184 §5.8: the indicator keeps F and NRI; the FU header carries the original type
  const indicator = (header & 0xe0) | H264RtpNalType.FuA;
  const type = header & 0x1f;
  const chunk = maxPayloadSize - 2;
  // the NAL header byte is not sent: the receiver rebuilds it from indicator + FU header
  for (let pos = 1; pos < nal.length; pos += chunk) {
    const end = Math.min(nal.length, pos + chunk);
    const fragment = Buffer.allocUnsafe(2 + end - pos);
    fragment[0] = indicator;
    fragment[1] = (pos === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    nal.copy(fragment, 2, pos, end);
    out.push(fragment);
  }
}
