import { AmfParseError } from './errors.js';

/** A bounds-checked cursor over a Buffer whose every failure is an AmfParseError. */
export class ByteReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
  ) {
    this.pos = start;
  }

  /** Byte offset of the next read. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left after the cursor. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Builds (does not throw) an error pointing at `at`, by default the cursor. */
  error(message: string, at = this.pos): AmfParseError {
    return new AmfParseError(message, at);
  }

  /** Throws unless `n` more bytes exist; `what` names the field in the message. */
  need(n: number, what: string): void {
    if (n > this.buf.length - this.pos) {
      throw this.error(`${what} needs ${n} bytes, ${this.remaining} left`);
    }
  }

  /** The next byte, without consuming it. */
  peek(what: string): number {
    this.need(1, what);
    return this.buf[this.pos] as number;
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++] as number;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  i16(what: string): number {
    this.need(2, what);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(what: string): number {
    this.need(8, what);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Decodes `length` bytes as UTF-8; malformed sequences become U+FFFD rather than failing. */
  utf8(length: number, what: string): string {
    this.need(length, what);
    let s: string;
    try {
      s = this.buf.toString('utf8', this.pos, this.pos + length);
    } catch (cause) {
      // Only a string beyond V8's maximum length lands here.
      throw new AmfParseError(`${what} of ${length} bytes cannot be held in memory`, this.pos, { cause });
    }
    this.pos += length;
    return s;
  }

  /** Copies `length` bytes out, so the result does not pin the (possibly large) source buffer. */
  bytes(length: number, what: string): Buffer {
    this.need(length, what);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + length));
    this.pos += length;
    return out;
  }

  /** Reads a variable-length unsigned 29-bit integer (AMF3 spec §1.3.1). */
  u29(what: string): number {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const b = this.u8(what);
      value = (value << 7) | (b & 0x7f);
      if ((b & 0x80) === 0) return value;
    }
    // The fourth byte contributes all 8 bits.
    return ((value << 8) | this.u8(what)) >>> 0;
  }
}
