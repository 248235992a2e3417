/** A growable output buffer, so encoders write in place instead of concatenating parts. */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.alloc(initialSize);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.reserve(2);
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }

  i16(v: number): void {
    this.reserve(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  u32(v: number): void {
    this.reserve(4);
    this.pos = this.buf.writeUInt32BE(v, this.pos);
  }

  f64(v: number): void {
    this.reserve(8);
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }

  /** Writes `s` as UTF-8; the caller has already written its length (`Buffer.byteLength(s)`). */
  utf8(s: string, byteLength: number): void {
    this.reserve(byteLength);
    this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes a variable-length unsigned 29-bit integer (AMF3 spec §1.3.1); `v` must be in 0..2^29-1. */
  u29(v: number): void {
    if (v < 0x80) {
      this.u8(v);
    } else if (v < 0x4000) {
      this.u8(((v >>> 7) & 0x7f) | 0x80);
      this.u8(v & 0x7f);
    } else if (v < 0x200000) {
      this.u8(((v >>> 14) & 0x7f) | 0x80);
      this.u8(((v >>> 7) & 0x7f) | 0x80);
      this.u8(v & 0x7f);
    } else {
      // Four bytes: 7+7+7 bits, then a full 8-bit byte.
      this.u8(((v >>> 22) & 0x7f) | 0x80);
      this.u8(((v >>> 15) & 0x7f) | 0x80);
      this.u8(((v >>> 8) & 0x7f) | 0x80);
      this.u8(v & 0xff);
    }
  }

  /** The bytes written, as a view (no copy). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
