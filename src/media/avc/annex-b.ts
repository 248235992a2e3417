import { ParseError } from '../../base/index.js';

const START_CODE = Buffer.from([0, 0, 1]);
const FOUR_BYTE_START_CODE = Buffer.from([0, 0, 0, 1]);

/**
 * Splits an Annex B byte stream (H.264 / H.265 Annex B: start codes `00 00 01` or `00 00 00 01`)
 * into NAL units, as views on `data`. Leading and trailing zero bytes around each unit are
 * dropped, as §B.2 allows; bytes before the first start code that are not zeros throw ParseError.
 */
export function splitAnnexB(data: Buffer): Buffer[] {
  const units: Buffer[] = [];
  let hit = data.indexOf(START_CODE);
  if (hit < 0) {
    if (data.some((b) => b !== 0)) throw new ParseError('no Annex B start code', 0);
    return units;
  }
  for (let i = 0; i < hit; i++) {
    if (data[i] !== 0) throw new ParseError('data before the first Annex B start code', i);
  }
  while (hit >= 0) {
    const start = hit + START_CODE.length;
    const next = data.indexOf(START_CODE, start);
    let end = next < 0 ? data.length : next;
    // §B.2: trailing_zero_8bits (and the leading zero of a 4-byte start code) belong to no NAL unit
    while (end > start && data[end - 1] === 0) end--;
    if (end > start) units.push(data.subarray(start, end));
    hit = next;
  }
  return units;
}

/** Joins NAL units into an Annex B byte stream with 4-byte start codes (what `ffmpeg -f hevc` reads). */
export function joinAnnexB(units: readonly Buffer[]): Buffer {
  return Buffer.concat(units.flatMap((unit) => [FOUR_BYTE_START_CODE, unit]));
}
