import { TS_PACKET_SIZE, TS_SYNC_BYTE } from './ts-constants.js';

/** What a TS problem is about, so tests can single out one family. */
export type TsProblemKind = 'alignment' | 'sync' | 'adaptation' | 'continuity' | 'pcr' | 'psi' | 'pes' | 'order' | 'timestamp';

/** One thing wrong with a transport stream, at the packet (0-based) where it shows. */
export interface TsProblem {
  kind: TsProblemKind;
  packet: number;
  pid?: number;
  message: string;
}

/** The adaptation field fields the checker and demuxer look at (§2.4.3.4). */
export interface TsAdaptation {
  discontinuity: boolean;
  randomAccess: boolean;
  /** program_clock_reference in 27 MHz ticks (base × 300 + extension). */
  pcr?: number;
}

/** One parsed 188-byte packet; `payload` is a view on the input. */
export interface TsPacketView {
  index: number;
  pid: number;
  /** payload_unit_start_indicator. */
  start: boolean;
  transportError: boolean;
  scrambling: number;
  /** adaptation_field_control: 1 payload, 2 adaptation field, 3 both. */
  fieldControl: number;
  continuity: number;
  adaptation?: TsAdaptation;
  payload: Buffer;
  bytes: Buffer;
}

/** Parses packet number `index` of `buf`; returns a problem instead when it is malformed. */
export function readTsPacket(buf: Buffer, index: number): TsPacketView | TsProblem {
  const at = index * TS_PACKET_SIZE;
  const bytes = buf.subarray(at, at + TS_PACKET_SIZE);
  const b1 = bytes.readUInt8(1);
  const b3 = bytes.readUInt8(3);
  const pid = ((b1 & 0x1f) << 8) | bytes.readUInt8(2);
  const problem = (kind: TsProblemKind, message: string): TsProblem => ({ kind, packet: index, pid, message });
  if (bytes[0] !== TS_SYNC_BYTE) return { kind: 'sync', packet: index, message: `sync byte 0x${bytes.readUInt8(0).toString(16)}` };
  const fieldControl = (b3 >> 4) & 0x03;
  if (fieldControl === 0) return problem('adaptation', 'adaptation_field_control 00 is reserved');
  const packet: TsPacketView = {
    index,
    pid,
    start: (b1 & 0x40) !== 0,
    transportError: (b1 & 0x80) !== 0,
    scrambling: b3 >> 6,
    fieldControl,
    continuity: b3 & 0x0f,
    payload: bytes.subarray(4),
    bytes,
  };
  if (fieldControl & 0x02) {
    const length = bytes.readUInt8(4);
    // §2.4.3.5: 183 bytes when there is no payload, at most 182 with one
    if (fieldControl === 2 ? length !== 183 : length > 182) return problem('adaptation', `adaptation_field_length ${length}`);
    packet.payload = fieldControl === 2 ? bytes.subarray(TS_PACKET_SIZE) : bytes.subarray(5 + length);
    if (length > 0) {
      const flags = bytes.readUInt8(5);
      packet.adaptation = { discontinuity: (flags & 0x80) !== 0, randomAccess: (flags & 0x40) !== 0 };
      if (flags & 0x10) {
        if (length < 7) return problem('adaptation', 'PCR flag set in a too short adaptation field');
        const base = bytes.readUInt32BE(6) * 2 + (bytes.readUInt8(10) >> 7);
        packet.adaptation.pcr = base * 300 + (((bytes.readUInt8(10) & 0x01) << 8) | bytes.readUInt8(11));
      }
    } else {
      packet.adaptation = { discontinuity: false, randomAccess: false };
    }
  }
  return packet;
}

/** True when `readTsPacket` returned a problem rather than a packet. */
export function isTsProblem(value: TsPacketView | TsProblem): value is TsProblem {
  return 'kind' in value;
}
