import { readPesTimestamp } from './pes.js';
import { crc32Mpeg, type PmtStream } from './psi.js';
import { TS_PACKET_SIZE, TsPid } from './ts-constants.js';
import { isTsProblem, readTsPacket, type TsPacketView, type TsProblem } from './ts-reader.js';

/** The program a PMT describes, and the packet it was read from. */
export interface TsProgramInfo {
  pmtPid: number;
  pcrPid: number;
  version: number;
  streams: PmtStream[];
  packet: number;
}

/** One reassembled PES packet; timestamps are 90 kHz ticks as written (33 bits). */
export interface TsPes {
  pid: number;
  streamId: number;
  pts?: number;
  dts?: number;
  /** The elementary stream bytes after the PES header. */
  payload: Buffer;
  /** Index of the TS packet it starts in. */
  packet: number;
  /** random_access_indicator of that packet. */
  randomAccess: boolean;
}

/**
 * A small demuxer for tests and tools: reads PAT and PMT (single-packet sections, CRC checked)
 * and reassembles PES packets per PID, reporting what it cannot parse as problems.
 */
export class TsDemuxer {
  /** Index of the first PAT packet, if one was read. */
  patPacket: number | undefined;
  /** Index of the first PMT packet, if one was read. */
  pmtPacket: number | undefined;
  /** The latest PMT. */
  program: TsProgramInfo | undefined;
  readonly pes: TsPes[] = [];
  readonly problems: TsProblem[] = [];
  private pmtPid: number | undefined;
  private readonly open = new Map<number, { parts: Buffer[]; packet: number; randomAccess: boolean }>();

  /** Takes the next packet in stream order. */
  push(packet: TsPacketView): void {
    if (packet.pid === TsPid.Null || packet.payload.length === 0) return;
    if (packet.pid === TsPid.Pat || packet.pid === this.pmtPid) {
      if (packet.start) this.readSection(packet);
      return;
    }
    if (packet.start) {
      this.finish(packet.pid);
      this.open.set(packet.pid, { parts: [packet.payload], packet: packet.index, randomAccess: packet.adaptation?.randomAccess ?? false });
    } else {
      const open = this.open.get(packet.pid);
      if (open) open.parts.push(packet.payload);
      else this.problem('pes', packet.index, packet.pid, 'payload before any unit start');
    }
  }

  /** Completes the PES packets still open at the end of the input. */
  end(): void {
    for (const pid of [...this.open.keys()]) this.finish(pid);
  }

  private problem(kind: TsProblem['kind'], packet: number, pid: number, message: string): void {
    this.problems.push({ kind, packet, pid, message });
  }

  private readSection(packet: TsPacketView): void {
    const p = packet.payload;
    const start = 1 + (p[0] ?? 0); // pointer_field
    if (start + 3 > p.length) return this.problem('psi', packet.index, packet.pid, 'section header past the packet');
    const end = start + 3 + (p.readUInt16BE(start + 1) & 0x0fff);
    if (end > p.length) return this.problem('psi', packet.index, packet.pid, 'section spans packets (not supported)');
    const section = p.subarray(start, end);
    if (crc32Mpeg(section) !== 0) return this.problem('psi', packet.index, packet.pid, 'section CRC_32 mismatch');
    const tableId = section.readUInt8(0);
    if (packet.pid === TsPid.Pat) {
      if (tableId !== 0x00) return this.problem('psi', packet.index, packet.pid, `table_id ${tableId} on the PAT PID`);
      // §2.4.4.3: 4-byte entries between the 8-byte header and the CRC; program 0 is the network PID
      for (let at = 8; at + 4 <= section.length - 4; at += 4) {
        if (section.readUInt16BE(at) !== 0) {
          this.pmtPid = section.readUInt16BE(at + 2) & 0x1fff;
          break;
        }
      }
      this.patPacket ??= packet.index;
      return;
    }
    if (tableId !== 0x02) return this.problem('psi', packet.index, packet.pid, `table_id ${tableId} on the PMT PID`);
    const streams: PmtStream[] = [];
    // §2.4.4.8: PCR_PID, program info descriptors, then 5-byte stream entries with their descriptors
    let at = 12 + (section.readUInt16BE(10) & 0x0fff);
    while (at + 5 <= section.length - 4) {
      streams.push({ streamType: section.readUInt8(at), pid: section.readUInt16BE(at + 1) & 0x1fff });
      at += 5 + (section.readUInt16BE(at + 3) & 0x0fff);
    }
    this.program = {
      pmtPid: packet.pid,
      pcrPid: section.readUInt16BE(8) & 0x1fff,
      version: (section.readUInt8(5) >> 1) & 0x1f,
      streams,
      packet: packet.index,
    };
    this.pmtPacket ??= packet.index;
  }

  private finish(pid: number): void {
    const open = this.open.get(pid);
    if (!open) return;
    this.open.delete(pid);
    const pes = Buffer.concat(open.parts);
    const fail = (message: string): void => this.problem('pes', open.packet, pid, message);
    if (pes.length < 9 || pes.readUIntBE(0, 3) !== 1) return fail('no PES start code');
    const declared = pes.readUInt16BE(4);
    if (declared !== 0 && declared !== pes.length - 6) return fail(`PES_packet_length ${declared}, carried ${pes.length - 6}`);
    const flags = pes.readUInt8(7);
    const headerEnd = 9 + pes.readUInt8(8);
    if (headerEnd > pes.length) return fail('PES header past the packet');
    const entry: TsPes = { pid, streamId: pes.readUInt8(3), payload: pes.subarray(headerEnd), packet: open.packet, randomAccess: open.randomAccess };
    // §2.4.3.7: PTS_DTS_flags '10' PTS, '11' PTS and DTS; '01' is forbidden
    const ptsDts = flags >> 6;
    if (ptsDts === 1) return fail('PTS_DTS_flags 01');
    if (ptsDts >= 2) {
      if (!timestampOk(pes, 9, ptsDts === 3 ? 0x3 : 0x2)) return fail('malformed PTS');
      entry.pts = readPesTimestamp(pes, 9);
    }
    if (ptsDts === 3) {
      if (!timestampOk(pes, 14, 0x1)) return fail('malformed DTS');
      entry.dts = readPesTimestamp(pes, 14);
    }
    this.pes.push(entry);
  }
}

/** Checks a 5-byte timestamp's 4-bit prefix and its three marker bits (§2.4.3.6). */
function timestampOk(pes: Buffer, at: number, prefix: number): boolean {
  if (at + 5 > pes.length) return false;
  return pes.readUInt8(at) >> 4 === prefix && (pes.readUInt8(at) & 1) === 1 && (pes.readUInt8(at + 2) & 1) === 1 && (pes.readUInt8(at + 4) & 1) === 1;
}

/** Demuxes a whole transport stream held in memory (tests): its program, PES packets and problems. */
export function demuxTransportStream(buf: Buffer): TsDemuxer {
  const demuxer = new TsDemuxer();
  const count = Math.floor(buf.length / TS_PACKET_SIZE);
  for (let i = 0; i < count; i++) {
    const packet = readTsPacket(buf, i);
    if (isTsProblem(packet)) demuxer.problems.push(packet);
    else demuxer.push(packet);
  }
  demuxer.end();
  return demuxer;
}
