import { ParseError } from '../../base/index.js';

/**
 * Reads MSB-first bit fields from a buffer, as the H.264/H.265/AV1/AAC syntax tables do.
 * Every read is bounds-checked: running off the end throws ParseError with the byte offset
 * (plus `baseOffset`, so callers can report positions in the enclosing message).
 */
export class BitReader {
  private pos = 0;
  private readonly end: number;

  constructor(
    private readonly buf: Buffer,
    private readonly baseOffset = 0,
    private readonly what = 'bitstream',
  ) {
    this.end = buf.length * 8;
  }

  /** Bits consumed so far. */
  get bitPosition(): number {
    return this.pos;
  }

  /** Bits still available. */
  get bitsLeft(): number {
    return this.end - this.pos;
  }

  /** Index of the byte holding the next bit (a whole byte once aligned). */
  get bytePosition(): number {
    return Math.floor(this.pos / 8);
  }

  /** Throws a ParseError located at the current position. */
  fail(message: string): never {
    throw new ParseError(`${this.what}: ${message}`, this.baseOffset + Math.floor(this.pos / 8));
  }

  /** Unsigned n-bit integer, 0 <= n <= 32 (u(n) / f(n) in the specs). */
  u(n: number): number {
    if (n > this.end - this.pos) this.fail(`needs ${n} more bits, ${this.end - this.pos} left`);
    let value = 0;
    let remaining = n;
    while (remaining > 0) {
      const byte = this.buf[Math.floor(this.pos / 8)] ?? 0;
      const avail = 8 - (this.pos % 8);
      const take = avail < remaining ? avail : remaining;
      const bits = (byte >> (avail - take)) & ((1 << take) - 1);
      // multiply rather than shift so 32-bit fields stay positive
      value = value * (1 << take) + bits;
      this.pos += take;
      remaining -= take;
    }
    return value;
  }

  /** One bit as a boolean. */
  flag(): boolean {
    return this.u(1) === 1;
  }

  /** Unsigned exp-Golomb code (H.264 §9.1, H.265 §9.2). */
  ue(): number {
    let leadingZeros = 0;
    while (this.u(1) === 0) {
      // a 32-bit codeNum never needs more; longer runs are corrupt data, not big numbers
      if (++leadingZeros > 32) this.fail('exp-Golomb code longer than 32 bits');
    }
    return leadingZeros === 0 ? 0 : 2 ** leadingZeros - 1 + this.u(leadingZeros);
  }

  /** Signed exp-Golomb code (H.264 §9.1.1: 1, -1, 2, -2, ...). */
  se(): number {
    const k = this.ue();
    if (k === 0) return 0; // avoid -0
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  /** Skips n bits, bounds-checked. */
  skip(n: number): void {
    if (n > this.end - this.pos) this.fail(`cannot skip ${n} bits, ${this.end - this.pos} left`);
    this.pos += n;
  }

  /** Moves to the next byte boundary (no-op when already aligned). */
  alignToByte(): void {
    this.pos = Math.min(this.end, Math.ceil(this.pos / 8) * 8);
  }
}
