import { ParseError } from '../../base/index.js';

/**
 * Rebuilds packets from an Ogg byte stream (RFC 3533) as it arrives in chunks, e.g. ffmpeg's
 * Ogg Opus output on a pipe. Page checksums are not verified: the bytes come from a local pipe.
 */
export class OggPacketReader {
  private buffered: Buffer = Buffer.alloc(0);
  private partial: Buffer[] = [];

  /** Takes the next chunk and returns the packets it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const packets: Buffer[] = [];
    let pos = 0;
    while (this.buffered.length - pos >= 27) {
      if (this.buffered.toString('latin1', pos, pos + 4) !== 'OggS') throw new ParseError('lost Ogg page sync', pos);
      const segments = this.buffered[pos + 26] as number;
      if (this.buffered.length - pos < 27 + segments) break;
      const lacing = this.buffered.subarray(pos + 27, pos + 27 + segments);
      const bodySize = lacing.reduce((n, v) => n + v, 0);
      const bodyStart = pos + 27 + segments;
      if (this.buffered.length < bodyStart + bodySize) break;
      // a continued packet (header type bit 0) joins what the previous page left open
      if (((this.buffered[pos + 5] as number) & 0x01) === 0) this.partial = [];
      let at = bodyStart;
      let run = 0;
      for (const size of lacing) {
        run += size;
        // a lacing value below 255 ends the packet; 255 means it goes on
        if (size < 255) {
          this.partial.push(this.buffered.subarray(at, at + run));
          packets.push(Buffer.concat(this.partial));
          this.partial = [];
          at += run;
          run = 0;
        }
      }
      if (run > 0) this.partial.push(Buffer.from(this.buffered.subarray(at, at + run)));
      pos = bodyStart + bodySize;
    }
    this.buffered = Buffer.from(this.buffered.subarray(pos));
    return packets;
  }
}
