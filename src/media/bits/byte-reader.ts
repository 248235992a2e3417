import { ParseError } from '../../base/index.js';

/** A bounds-checked big-endian cursor over a buffer for byte-aligned records (avcC, hvcC, av1C). */
export class ByteReader {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly what = 'record',
  ) {}

  /** Bytes consumed so far. */
  get position(): number {
    return this.pos;
  }

  /** Bytes still available. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Throws a ParseError located at the current position. */
  fail(message: string, at = this.pos): never {
    throw new ParseError(`${this.what}: ${message}`, at);
  }

  /** Unsigned 8-bit integer. */
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }

  /** Unsigned 16-bit big-endian integer. */
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** Unsigned 32-bit big-endian integer. */
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** The next n bytes as a view on the input (no copy). */
  bytes(n: number): Buffer {
    this.need(n);
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /** Everything not read yet, as a view. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  private need(n: number): void {
    if (n > this.buf.length - this.pos) {
      this.fail(`truncated: needs ${n} bytes, ${this.buf.length - this.pos} left`);
    }
  }
}
