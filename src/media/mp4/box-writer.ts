import { Mp4MuxError } from './errors.js';

/**
 * Writes ISOBMFF boxes big-endian into one preallocated Buffer, or only counts bytes when it has
 * none: the same build function runs once to measure and once to write, so nothing is copied
 * twice and no intermediate Buffers are made.
 */
export class BoxWriter {
  /** Bytes written (or counted) so far. */
  pos = 0;

  constructor(private readonly buf: Buffer | null) {}

  /** True while only measuring; positions recorded for later patches mean nothing then. */
  get measuring(): boolean {
    return this.buf === null;
  }

  u8(v: number): this {
    this.buf?.writeUInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.buf?.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  i16(v: number): this {
    this.buf?.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    this.buf?.writeUIntBE(v, this.pos, 3);
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    this.buf?.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    this.buf?.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  /** A 64-bit unsigned integer from a safe integer (decode times of long streams pass 2^32). */
  u64(v: number): this {
    if (this.buf) {
      // two halves avoid a BigInt per call and stay exact up to 2^53
      this.buf.writeUInt32BE(Math.floor(v / 2 ** 32), this.pos);
      this.buf.writeUInt32BE(v % 2 ** 32, this.pos + 4);
    }
    this.pos += 8;
    return this;
  }

  /** n zero bytes (reserved fields, pre_defined, empty strings). */
  zeros(n: number): this {
    this.buf?.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** A four-character code, Latin-1. */
  fourcc(code: string): this {
    this.buf?.write(code, this.pos, 4, 'latin1');
    this.pos += 4;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.buf?.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  /** A Box (ISO/IEC 14496-12 §4.2): the 32-bit size is patched once the body is written. */
  box(type: string, body: (w: this) => void): this {
    const start = this.pos;
    this.u32(0).fourcc(type);
    body(this);
    return this.patchU32(start, this.pos - start);
  }

  /** A FullBox (§4.2): a Box whose body starts with an 8-bit version and 24-bit flags. */
  fullBox(type: string, version: number, flags: number, body: (w: this) => void): this {
    return this.box(type, (w) => {
      w.u8(version).u24(flags);
      body(w);
    });
  }

  /** Overwrites 4 bytes written earlier (box sizes, trun data offsets). */
  patchU32(at: number, v: number): this {
    this.buf?.writeUInt32BE(v, at);
    return this;
  }

  patchI32(at: number, v: number): this {
    this.buf?.writeInt32BE(v, at);
    return this;
  }
}

/** Runs `build` to measure, then again into one Buffer of exactly that size. */
export function encodeBoxes(build: (w: BoxWriter) => void): Buffer {
  const counter = new BoxWriter(null);
  build(counter);
  // every byte is written explicitly (zeros() for reserved fields), so no need to zero-fill
  const out = Buffer.allocUnsafe(counter.pos);
  const writer = new BoxWriter(out);
  build(writer);
  if (writer.pos !== out.length) {
    throw new Mp4MuxError(`wrote ${writer.pos} bytes after measuring ${out.length}`);
  }
  return out;
}
