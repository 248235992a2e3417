import { TsDemuxer, type TsProgramInfo } from './ts-demuxer.js';
import { tickDelta, TIMESTAMP_MODULO, TS_PACKET_SIZE, TsPid, wrapTicks } from './ts-constants.js';
import { isTsProblem, readTsPacket, type TsPacketView, type TsProblem } from './ts-reader.js';

/** PTS values one PID carried, in 90 kHz ticks unwrapped from the first one (so a 2^33 wrap reads on). */
export interface PtsRange {
  first: number;
  last: number;
  min: number;
  max: number;
}

/** What `checkTransportStream` found: problems (empty when the stream is sound) and counts. */
export interface TsReport {
  problems: TsProblem[];
  packets: number;
  packetsPerPid: Map<number, number>;
  pesPerPid: Map<number, number>;
  ptsRange: Map<number, PtsRange>;
  pcrCount: number;
  program?: TsProgramInfo;
}

const PCR_MODULO = TIMESTAMP_MODULO * 300;
// §2.7.2: at most 0.1 s between PCRs, in 27 MHz ticks
const MAX_PCR_GAP = 2_700_000;

/**
 * Checks a transport stream held in memory: sync bytes and 188-byte alignment, continuity counters
 * per PID (§2.4.3.3), PCRs on the PCR PID only, never backwards and at most 100 ms apart unless a
 * discontinuity is signalled, PAT and PMT before the first PES, PES on PIDs the PMT lists, PES
 * headers, and decode timestamps that never go back. Returns problems rather than throwing.
 */
export function checkTransportStream(buf: Buffer): TsReport {
  const demuxer = new TsDemuxer();
  const problems: TsProblem[] = [];
  const packetsPerPid = new Map<number, number>();
  const continuity = new ContinuityCheck(problems);
  const count = Math.floor(buf.length / TS_PACKET_SIZE);
  if (buf.length % TS_PACKET_SIZE !== 0) {
    problems.push({ kind: 'alignment', packet: count, message: `${buf.length} bytes is not a multiple of 188` });
  }
  let lastPcr: number | undefined;
  let pcrCount = 0;
  for (let i = 0; i < count; i++) {
    const packet = readTsPacket(buf, i);
    if (isTsProblem(packet)) {
      problems.push(packet);
      continue;
    }
    const { pid } = packet;
    packetsPerPid.set(pid, (packetsPerPid.get(pid) ?? 0) + 1);
    if (packet.transportError) problems.push({ kind: 'sync', packet: i, pid, message: 'transport_error_indicator set' });
    if (!continuity.check(packet)) continue; // a duplicate: §2.4.3.3 lets a decoder drop it
    const pcr = packet.adaptation?.pcr;
    if (pcr !== undefined) {
      pcrCount++;
      const pcrPid = demuxer.program?.pcrPid;
      if (pcrPid !== undefined && pid !== pcrPid) {
        problems.push({ kind: 'pcr', packet: i, pid, message: `PCR on PID ${pid}, the PMT names ${pcrPid}` });
      } else if (lastPcr !== undefined && !packet.adaptation?.discontinuity) {
        const step = pcrStep(lastPcr, pcr);
        if (step < 0) problems.push({ kind: 'pcr', packet: i, pid, message: `PCR goes back by ${-step / 27000} ms` });
        else if (step > MAX_PCR_GAP) problems.push({ kind: 'pcr', packet: i, pid, message: `PCR gap of ${step / 27000} ms` });
      }
      lastPcr = pcr;
    }
    demuxer.push(packet);
  }
  demuxer.end();
  problems.push(...demuxer.problems);
  const report: TsReport = { problems, packets: count, packetsPerPid, pesPerPid: new Map(), ptsRange: new Map(), pcrCount, program: demuxer.program };
  checkPes(demuxer, report);
  const pcrPid = demuxer.program?.pcrPid;
  if (pcrPid !== undefined && pcrPid !== TsPid.Null && demuxer.pes.length > 0 && pcrCount === 0) {
    problems.push({ kind: 'pcr', packet: 0, pid: pcrPid, message: 'no PCR at all' });
  }
  return report;
}

/** The signed distance between two PCRs on the 33-bit base clock, in 27 MHz ticks. */
function pcrStep(from: number, to: number): number {
  const forward = (((to - from) % PCR_MODULO) + PCR_MODULO) % PCR_MODULO;
  return forward > PCR_MODULO / 2 ? forward - PCR_MODULO : forward;
}

/** §2.4.3.3: +1 per packet with payload, unchanged without, reset at a discontinuity; a packet may be sent twice, no more. */
class ContinuityCheck {
  private readonly last = new Map<number, { packet: TsPacketView; repeated: boolean }>();

  constructor(private readonly problems: TsProblem[]) {}

  /** Checks the packet's counter; false for an allowed duplicate, which the caller skips. */
  check(packet: TsPacketView): boolean {
    if (packet.pid === TsPid.Null) return true;
    const previous = this.last.get(packet.pid);
    const hasPayload = (packet.fieldControl & 0x01) !== 0;
    const duplicate = previous !== undefined && hasPayload && packet.bytes.equals(previous.packet.bytes);
    if (duplicate && !previous.repeated) {
      previous.repeated = true;
      return false;
    }
    this.last.set(packet.pid, { packet, repeated: false });
    if (previous === undefined || packet.adaptation?.discontinuity) return true;
    const expected = hasPayload ? (previous.packet.continuity + 1) & 0x0f : previous.packet.continuity;
    if (packet.continuity !== expected) {
      const message = `continuity_counter ${packet.continuity}, expected ${expected}`;
      this.problems.push({ kind: 'continuity', packet: packet.index, pid: packet.pid, message });
    }
    return true;
  }
}

/** PES-level checks and counts: tables first, known PIDs, timestamps present and in decode order. */
function checkPes(demuxer: TsDemuxer, report: TsReport): void {
  const lastDts = new Map<number, number>();
  let orderReported = false;
  for (const pes of demuxer.pes) {
    const { pid, packet } = pes;
    const problem = (kind: TsProblem['kind'], message: string): number => report.problems.push({ kind, packet, pid, message });
    report.pesPerPid.set(pid, (report.pesPerPid.get(pid) ?? 0) + 1);
    const program = demuxer.program;
    const { patPacket, pmtPacket } = demuxer;
    const tablesFirst = patPacket !== undefined && patPacket < packet && pmtPacket !== undefined && pmtPacket < packet;
    if (!tablesFirst && !orderReported) {
      orderReported = true;
      problem('order', 'PES before the PAT and PMT');
    }
    if (program && !program.streams.some((s) => s.pid === pid)) problem('psi', `PES on PID ${pid}, which the PMT does not list`);
    if (pes.pts === undefined) {
      problem('pes', 'PES without PTS');
      continue;
    }
    const dts = pes.dts ?? pes.pts;
    if (pes.dts !== undefined && tickDelta(pes.dts, pes.pts) < 0) problem('timestamp', `PTS ${pes.pts} before DTS ${pes.dts}`);
    const previous = lastDts.get(pid);
    if (previous !== undefined && tickDelta(previous, dts) < 0) problem('timestamp', `DTS ${dts} goes back from ${previous}`);
    lastDts.set(pid, dts);
    const range = report.ptsRange.get(pid);
    if (range === undefined) {
      report.ptsRange.set(pid, { first: pes.pts, last: pes.pts, min: pes.pts, max: pes.pts });
    } else {
      const pts = range.last + tickDelta(wrapTicks(range.last), pes.pts);
      Object.assign(range, { last: pts, min: Math.min(range.min, pts), max: Math.max(range.max, pts) });
    }
  }
}
