const EMULATION_PATTERN = Buffer.from([0, 0, 3]);

/**
 * Turns a NAL unit into its RBSP by dropping each emulation_prevention_three_byte
 * (H.264 §7.4.1, H.265 §7.4.2: 0x000003 → 0x0000). Returns the input itself when there is none.
 */
export function removeEmulationPrevention(nal: Buffer): Buffer {
  let hit = nal.indexOf(EMULATION_PATTERN);
  if (hit < 0) return nal;
  const out = Buffer.allocUnsafe(nal.length);
  let written = 0;
  let read = 0;
  while (hit >= 0) {
    written += nal.copy(out, written, read, hit + 2);
    read = hit + 3;
    // the zero count restarts after the dropped byte, so search from there only
    hit = nal.indexOf(EMULATION_PATTERN, read);
  }
  written += nal.copy(out, written, read);
  return out.subarray(0, written);
}

/** Inserts emulation prevention bytes so an RBSP can be carried as a NAL unit payload. */
export function addEmulationPrevention(rbsp: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of rbsp) {
    if (zeros >= 2 && byte <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}
