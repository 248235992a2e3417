import { buildAdtsHeader, type AudioSpecificConfig } from '../aac/index.js';
import type { MediaFrame } from '../frame.js';

/** ADTS frames gathered into one PES, as chunks to copy in order. */
export interface AudioPes {
  /** Milliseconds of the first frame: the PES's PTS, and its DTS (AAC has no reordering). */
  pts: number;
  chunks: Buffer[];
  size: number;
}

// room left for the PES header within PES_packet_length's 16 bits (§2.4.3.7: audio cannot use 0)
const MAX_PAYLOAD = 0xffff - 32;

/**
 * Gathers raw AAC frames, each behind its own ADTS header (ISO 14496-3 §1.A.2, what stream_type
 * 0x0F carries), into PES packets spanning less than `maxSpanMs`: fewer PES headers and
 * packet tails, at the cost of holding audio back that long.
 */
export class AacPesQueue {
  private pending: AudioPes | undefined;
  private lastPts = 0;

  constructor(private readonly maxSpanMs: number) {}

  /** Adds a frame; returns the PES it closed (the earlier frames, or this one alone when packing is off). */
  push(frame: MediaFrame, asc: AudioSpecificConfig): AudioPes | undefined {
    const header = buildAdtsHeader(asc, frame.data.length);
    const size = header.length + frame.data.length;
    const pending = this.pending;
    let closed: AudioPes | undefined;
    if (
      pending === undefined ||
      frame.pts < this.lastPts || // a jump back starts a PES of its own, keeping PTS + duration honest
      frame.pts - pending.pts >= this.maxSpanMs ||
      pending.size + size > MAX_PAYLOAD
    ) {
      closed = pending;
      this.pending = { pts: frame.pts, chunks: [header, frame.data], size };
    } else {
      pending.chunks.push(header, frame.data);
      pending.size += size;
    }
    this.lastPts = frame.pts;
    if (this.maxSpanMs <= 0) return this.flush();
    return closed;
  }

  /** Takes the PES being gathered, if any (at a segment boundary or the end of the stream). */
  flush(): AudioPes | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }
}
