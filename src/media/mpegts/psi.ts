import { TS_PACKET_SIZE, TS_PAYLOAD_SIZE, TS_SYNC_BYTE, TsPid } from './ts-constants.js';
import type { ContinuityCounters } from './ts-packet.js';

/** One elementary stream of the program, as the PMT lists it. */
export interface PmtStream {
  streamType: number;
  pid: number;
}

/** The single program the muxer writes. */
export interface ProgramInit {
  /** PID carrying the PCR; 0x1FFF when the program has no PCR yet (no tracks). */
  pcrPid: number;
  streams: readonly PmtStream[];
  /** version_number (5 bits), bumped whenever the PMT content changes. */
  version: number;
}

const PROGRAM_NUMBER = 1;
const TRANSPORT_STREAM_ID = 1;
const CRC_TABLE = buildCrcTable();

// Annex A: CRC-32/MPEG-2, polynomial 0x04C11DB7 MSB first, initial value all ones, no final xor
function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let bit = 0; bit < 8; bit++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
}

/** The CRC_32 of a PSI section (ISO/IEC 13818-1 Annex A); a whole section including its CRC yields 0. */
export function crc32Mpeg(data: Buffer, start = 0, end = data.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ (data[i] ?? 0)) & 0xff] ?? 0)) >>> 0;
  }
  return crc;
}

/**
 * Writes the long-form section header up to last_section_number (§2.4.4.3 / §2.4.4.8) for a
 * section whose bytes after section_length number `length` (CRC included).
 */
function writeSectionHeader(out: Buffer, pos: number, tableId: number, length: number, idExtension: number, version: number): number {
  out[pos] = tableId;
  out.writeUInt16BE(0xb000 | length, pos + 1); // section_syntax_indicator 1, '0', reserved '11'
  out.writeUInt16BE(idExtension, pos + 3);
  out[pos + 5] = 0xc1 | ((version & 0x1f) << 1); // reserved '11', version, current_next_indicator 1
  out[pos + 6] = 0; // section_number
  out[pos + 7] = 0; // last_section_number
  return pos + 8;
}

/** Appends the CRC over the section starting at `start` and returns the section's end. */
function finishSection(out: Buffer, start: number, pos: number): number {
  out.writeUInt32BE(crc32Mpeg(out, start, pos), pos);
  return pos + 4;
}

/** The program_association_section (§2.4.4.3) naming one program and its PMT PID. */
export function buildPatSection(version = 0): Buffer {
  const out = Buffer.alloc(16);
  const pos = writeSectionHeader(out, 0, 0x00, 13, TRANSPORT_STREAM_ID, version);
  out.writeUInt16BE(PROGRAM_NUMBER, pos);
  out.writeUInt16BE(0xe000 | TsPid.Pmt, pos + 2); // reserved '111', program_map_PID
  finishSection(out, 0, pos + 4);
  return out;
}

/** The TS_program_map_section (§2.4.4.8) for our single program, without descriptors. */
export function buildPmtSection(program: ProgramInit): Buffer {
  const length = 9 + 5 * program.streams.length + 4;
  const out = Buffer.alloc(3 + length);
  let pos = writeSectionHeader(out, 0, 0x02, length, PROGRAM_NUMBER, program.version);
  out.writeUInt16BE(0xe000 | program.pcrPid, pos); // reserved '111', PCR_PID
  out.writeUInt16BE(0xf000, pos + 2); // reserved '1111', program_info_length 0
  pos += 4;
  for (const stream of program.streams) {
    out[pos] = stream.streamType;
    out.writeUInt16BE(0xe000 | stream.pid, pos + 1);
    out.writeUInt16BE(0xf000, pos + 3); // ES_info_length 0
    pos += 5;
  }
  finishSection(out, 0, pos);
  return out;
}

/**
 * Writes one PSI section as a TS packet: pointer_field 0, the section, then 0xFF up to the end,
 * the stuffing §2.4.4.1 defines after a section (sections here always fit one packet).
 */
export function writeSectionPacket(out: Buffer, pos: number, pid: number, counters: ContinuityCounters, section: Buffer): number {
  if (section.length > TS_PAYLOAD_SIZE - 1) throw new RangeError(`PSI section of ${section.length} bytes does not fit one packet`);
  out[pos] = TS_SYNC_BYTE;
  out[pos + 1] = 0x40 | (pid >> 8); // payload_unit_start_indicator: a section starts here
  out[pos + 2] = pid & 0xff;
  out[pos + 3] = 0x10 | counters.take(pid); // payload only
  out[pos + 4] = 0; // pointer_field
  section.copy(out, pos + 5);
  out.fill(0xff, pos + 5 + section.length, pos + TS_PACKET_SIZE);
  return pos + TS_PACKET_SIZE;
}

/** PAT then PMT, two packets, what each HLS segment starts with. */
export function writeProgramTables(out: Buffer, pos: number, counters: ContinuityCounters, pat: Buffer, pmt: Buffer): number {
  pos = writeSectionPacket(out, pos, TsPid.Pat, counters, pat);
  return writeSectionPacket(out, pos, TsPid.Pmt, counters, pmt);
}

/** Bytes `writeProgramTables` writes. */
export const PROGRAM_TABLES_SIZE = 2 * TS_PACKET_SIZE;
