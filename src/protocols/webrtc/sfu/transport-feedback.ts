/**
 * One transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1): for a run of our transport-wide sequence numbers, which arrived and when.
 */
export interface TransportFeedback {
  /** The receiver's feedback counter (8 bits): repeats of one feedback carry the same count. */
  feedbackCount: number;
  /** First transport-wide sequence number described. */
  baseSequence: number;
  /** Arrival time of each packet from `baseSequence` on, in µs on the receiver's clock; -1: not received. */
  arrivalsUs: number[];
}

/** Reference time unit of the feedback (64 ms) and delta unit (250 µs). */
const REFERENCE_UNIT_US = 64_000;
const DELTA_UNIT_US = 250;
const NOT_RECEIVED = 0;
const SMALL_DELTA = 1;
const LARGE_DELTA = 2;

/**
 * Reads the FCI of a transport-wide CC feedback (RTPFB, FMT 15) whose RTCP packet starts at `pos`
 * and is `length` bytes long. Undefined when malformed: a status count the chunks do not cover, a
 * reserved symbol, deltas running past the packet.
 */
export function readTransportFeedback(buf: Buffer, pos: number, length: number): TransportFeedback | undefined {
  const end = pos + length;
  if (length < 20 || end > buf.length) return undefined;
  const baseSequence = buf.readUInt16BE(pos + 12);
  const statusCount = buf.readUInt16BE(pos + 14);
  const referenceUs = buf.readIntBE(pos + 16, 3) * REFERENCE_UNIT_US;
  const feedbackCount = buf[pos + 19] as number;
  // first every status (from the chunks), then the deltas of the received ones, in order
  const symbols = new Uint8Array(statusCount);
  let filled = 0;
  let at = pos + 20;
  while (filled < statusCount) {
    if (at + 2 > end) return undefined;
    const chunk = buf.readUInt16BE(at);
    at += 2;
    if ((chunk & 0x8000) === 0) {
      // run length chunk: one symbol repeated
      const symbol = (chunk >> 13) & 0x03;
      const run = chunk & 0x1fff;
      if (symbol === 3) return undefined;
      const n = Math.min(run, statusCount - filled);
      symbols.fill(symbol, filled, filled + n);
      filled += n;
    } else if ((chunk & 0x4000) === 0) {
      // status vector of fourteen 1-bit symbols (received with a small delta or not)
      for (let i = 13; i >= 0 && filled < statusCount; i--) symbols[filled++] = (chunk >> i) & 1;
    } else {
      // status vector of seven 2-bit symbols
      for (let i = 6; i >= 0 && filled < statusCount; i--) {
        const symbol = (chunk >> (i * 2)) & 0x03;
        if (symbol === 3) return undefined;
        symbols[filled++] = symbol;
      }
    }
  }
  const arrivalsUs = new Array<number>(statusCount);
  let time = referenceUs;
  for (let i = 0; i < statusCount; i++) {
    const symbol = symbols[i] as number;
    if (symbol === NOT_RECEIVED) {
      arrivalsUs[i] = -1;
      continue;
    }
    if (symbol === SMALL_DELTA) {
      if (at + 1 > end) return undefined;
      time += (buf[at] as number) * DELTA_UNIT_US;
      at += 1;
    } else if (symbol === LARGE_DELTA) {
      if (at + 2 > end) return undefined;
      time += buf.readInt16BE(at) * DELTA_UNIT_US;
      at += 2;
    }
    arrivalsUs[i] = time;
  }
  return { feedbackCount, baseSequence, arrivalsUs };
}

/**
 * Builds a transport-wide CC feedback packet (RTPFB, FMT 15) — what a receiver sends; used by
 * tests and load generators to stand in for a browser. Arrivals are rounded to 250 µs.
 */
export function buildTransportFeedback(senderSsrc: number, mediaSsrc: number, fb: TransportFeedback): Buffer {
  const first = fb.arrivalsUs.find((t) => t >= 0) ?? 0;
  const reference = Math.floor(first / REFERENCE_UNIT_US);
  const symbols: number[] = [];
  const deltas: Buffer[] = [];
  let time = reference * REFERENCE_UNIT_US;
  for (const arrival of fb.arrivalsUs) {
    if (arrival < 0) {
      symbols.push(NOT_RECEIVED);
      continue;
    }
    const delta = Math.max(-32768, Math.min(32767, Math.round((arrival - time) / DELTA_UNIT_US)));
    if (delta >= 0 && delta <= 255) {
      symbols.push(SMALL_DELTA);
      deltas.push(Buffer.from([delta]));
    } else {
      symbols.push(LARGE_DELTA);
      const d = Buffer.alloc(2);
      d.writeInt16BE(delta);
      deltas.push(d);
    }
    time += delta * DELTA_UNIT_US;
  }
  // seven 2-bit symbols per chunk keeps the builder simple; receivers must read every chunk kind anyway
  const chunks: Buffer[] = [];
  for (let i = 0; i < symbols.length; i += 7) {
    let chunk = 0xc000;
    for (let j = 0; j < 7; j++) chunk |= (symbols[i + j] ?? 0) << ((6 - j) * 2);
    const c = Buffer.alloc(2);
    c.writeUInt16BE(chunk);
    chunks.push(c);
  }
  const body = Buffer.concat([...chunks, ...deltas]);
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const head = Buffer.alloc(20);
  head[0] = 0x8f; // V=2, FMT 15
  head[1] = 205;
  head.writeUInt16BE((20 + padded.length) / 4 - 1, 2);
  head.writeUInt32BE(senderSsrc >>> 0, 4);
  head.writeUInt32BE(mediaSsrc >>> 0, 8);
  head.writeUInt16BE(fb.baseSequence & 0xffff, 12);
  head.writeUInt16BE(fb.arrivalsUs.length, 14);
  head.writeIntBE(reference, 16, 3);
  head[19] = fb.feedbackCount & 0xff;
  return Buffer.concat([head, padded]);
}
