import { TS_PACKET_SIZE, TS_PAYLOAD_SIZE, TS_SYNC_BYTE, wrapTicks } from './ts-constants.js';

/** What the adaptation field of the first packet of a payload unit announces (§2.4.3.4). */
export interface AdaptationFlags {
  /** Program clock reference in 90 kHz ticks (unwrapped; the 33-bit base is written, extension 0). */
  pcr?: number;
  /** random_access_indicator: a decoder can start here (keyframe). */
  randomAccess?: boolean;
  /** discontinuity_indicator: a new system time base starts with this packet's PCR. */
  discontinuity?: boolean;
}

/** Per-PID continuity_counter state that carries on across segments. */
export class ContinuityCounters {
  private readonly next = new Map<number, number>();

  /** The counter for the next packet with payload on `pid`, advancing it (§2.4.3.3: 4 bits, wraps). */
  take(pid: number): number {
    const cc = this.next.get(pid) ?? 0;
    this.next.set(pid, (cc + 1) & 0x0f);
    return cc;
  }

  /** The counter an adaptation-only packet repeats: §2.4.3.3 does not increment it without payload. */
  current(pid: number): number {
    return ((this.next.get(pid) ?? 0) + 15) & 0x0f;
  }
}

/** Bytes of the adaptation field (length byte included) the flags need before any stuffing. */
function adaptationSize(flags: AdaptationFlags): number {
  if (flags.pcr === undefined && !flags.randomAccess && !flags.discontinuity) return 0;
  return 2 + (flags.pcr === undefined ? 0 : 6);
}

/** Number of TS packets a payload unit of `size` bytes (> 0) takes. */
export function packetCount(size: number, flags: AdaptationFlags = {}): number {
  const firstCapacity = TS_PAYLOAD_SIZE - adaptationSize(flags);
  if (size <= firstCapacity) return 1;
  return 1 + Math.ceil((size - firstCapacity) / TS_PAYLOAD_SIZE);
}

/** Writes the 6-byte program_clock_reference: 33-bit base, 6 reserved bits, 9-bit extension 0 (§2.4.3.4). */
function writePcr(out: Buffer, pos: number, ticks: number): void {
  const base = wrapTicks(ticks);
  // the base has 33 bits, more than JS bit operators hold: take the top bit by division
  const high = Math.floor(base / 2);
  out.writeUInt32BE(high, pos);
  out[pos + 4] = ((base % 2) << 7) | 0x7e;
  out[pos + 5] = 0;
}

/** Writes the 4-byte packet header; `afc` is adaptation_field_control (1 payload, 2 adaptation, 3 both). */
function writeHeader(out: Buffer, pos: number, pid: number, start: boolean, afc: number, cc: number): void {
  out[pos] = TS_SYNC_BYTE;
  out[pos + 1] = (start ? 0x40 : 0) | (pid >> 8);
  out[pos + 2] = pid & 0xff;
  out[pos + 3] = (afc << 4) | cc;
}

/**
 * Writes an adaptation field of `total` bytes (length byte included) at `pos`: flags, the PCR if
 * any, then 0xFF stuffing. A total of 1 is the lone length byte 0, §2.4.3.5's one-byte stuffing.
 */
function writeAdaptation(out: Buffer, pos: number, total: number, flags: AdaptationFlags): void {
  out[pos] = total - 1;
  if (total === 1) return;
  out[pos + 1] = (flags.discontinuity ? 0x80 : 0) | (flags.randomAccess ? 0x40 : 0) | (flags.pcr === undefined ? 0 : 0x10);
  let at = pos + 2;
  if (flags.pcr !== undefined) {
    writePcr(out, at, flags.pcr);
    at += 6;
  }
  out.fill(0xff, at, pos + total);
}

/**
 * Writes one payload unit (a PES or a PSI section with its pointer field), given as consecutive
 * chunks totalling `size` bytes, as TS packets at `pos` of `out`; returns the position after them.
 * The first packet sets payload_unit_start_indicator and carries `flags`; the last one is padded
 * with adaptation-field stuffing, since only PSI may pad the payload itself (§2.4.3.5).
 */
export function writePayloadPackets(
  out: Buffer,
  pos: number,
  pid: number,
  counters: ContinuityCounters,
  chunks: readonly Buffer[],
  size: number,
  flags: AdaptationFlags = {},
): number {
  let remaining = size;
  let chunk = 0;
  let chunkOffset = 0;
  let first = true;
  while (first || remaining > 0) {
    const packetFlags = first ? flags : {};
    let adaptation = adaptationSize(packetFlags);
    const take = Math.min(TS_PAYLOAD_SIZE - adaptation, remaining);
    adaptation = TS_PAYLOAD_SIZE - take; // grows by the stuffing the last packet needs
    writeHeader(out, pos, pid, first, adaptation > 0 ? 3 : 1, counters.take(pid));
    if (adaptation > 0) writeAdaptation(out, pos + 4, adaptation, packetFlags);
    let at = pos + 4 + adaptation;
    const end = pos + TS_PACKET_SIZE;
    while (at < end) {
      const source = chunks[chunk];
      if (source === undefined) throw new RangeError(`payload chunks hold fewer than ${size} bytes`);
      const copied = source.copy(out, at, chunkOffset, Math.min(source.length, chunkOffset + end - at));
      at += copied;
      chunkOffset += copied;
      if (chunkOffset >= source.length) {
        chunk++;
        chunkOffset = 0;
      }
    }
    remaining -= take;
    pos = end;
    first = false;
  }
  return pos;
}

/** Writes a packet that holds only an adaptation field with a PCR (§2.4.3.3: its counter is not incremented). */
export function writePcrOnlyPacket(out: Buffer, pos: number, pid: number, counters: ContinuityCounters, flags: AdaptationFlags): number {
  writeHeader(out, pos, pid, false, 2, counters.current(pid));
  writeAdaptation(out, pos + 4, TS_PAYLOAD_SIZE, flags);
  return pos + TS_PACKET_SIZE;
}
