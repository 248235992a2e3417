/** Writes MSB-first bit fields; used to build AudioSpecificConfig, ADTS headers and test bitstreams. */
export class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  /** Bits written so far. */
  get bitLength(): number {
    return this.bytes.length * 8 + this.used;
  }

  /** Appends the low n bits of value, 0 <= n <= 32. */
  u(n: number, value: number): this {
    for (let i = n - 1; i >= 0; i--) {
      // division instead of >> keeps bit 31 of 32-bit values
      this.bit(Math.floor(value / 2 ** i) % 2);
    }
    return this;
  }

  /** Appends one bit. */
  flag(on: boolean): this {
    return this.bit(on ? 1 : 0);
  }

  /** Appends an unsigned exp-Golomb code. */
  ue(value: number): this {
    const codeNum = value + 1;
    let length = 0;
    while (codeNum >= 2 ** (length + 1)) length++;
    return this.u(length, 0).u(length + 1, codeNum);
  }

  /** Appends a signed exp-Golomb code. */
  se(value: number): this {
    return this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** Appends rbsp_trailing_bits (a 1 then zeros to the byte boundary). */
  trailingBits(): this {
    this.bit(1);
    while (this.used !== 0) this.bit(0);
    return this;
  }

  /** The bytes written, zero-padded to a whole byte. */
  toBuffer(): Buffer {
    const tail = this.used === 0 ? [] : [this.current << (8 - this.used)];
    return Buffer.from([...this.bytes, ...tail]);
  }

  private bit(b: number): this {
    this.current = (this.current << 1) | b;
    if (++this.used === 8) {
      this.bytes.push(this.current);
      this.current = 0;
      this.used = 0;
    }
    return this;
  }
}
