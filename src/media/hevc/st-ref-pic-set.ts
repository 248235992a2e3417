import type { BitReader } from '../bits/bit-reader.js';

/** The POC deltas of one short-term reference picture set (DeltaPocS0 / DeltaPocS1). */
export interface ShortTermRps {
  negative: number[];
  positive: number[];
}

// H.265 §7.4.8: at most sps_max_dec_pic_buffering (<= 16) pictures per set
const MAX_PICS = 16;

/**
 * Reads st_ref_pic_set(idx) as it appears in an SPS (H.265 §7.3.7) and derives its deltas,
 * since a later set may be predicted from this one and its syntax length depends on them.
 */
export function readShortTermRps(r: BitReader, idx: number, previous: readonly ShortTermRps[]): ShortTermRps {
  const ref = previous[idx - 1];
  if (idx !== 0 && ref && r.flag()) return readPredictedRps(r, ref);
  const numNegative = r.ue();
  const numPositive = r.ue();
  if (numNegative > MAX_PICS || numPositive > MAX_PICS) r.fail('short-term RPS lists more than 16 pictures');
  const negative: number[] = [];
  const positive: number[] = [];
  let poc = 0;
  for (let i = 0; i < numNegative; i++) {
    poc -= r.ue() + 1; // delta_poc_s0_minus1
    r.skip(1); // used_by_curr_pic_s0_flag
    negative.push(poc);
  }
  poc = 0;
  for (let i = 0; i < numPositive; i++) {
    poc += r.ue() + 1; // delta_poc_s1_minus1
    r.skip(1); // used_by_curr_pic_s1_flag
    positive.push(poc);
  }
  return { negative, positive };
}

/** inter_ref_pic_set_prediction_flag = 1; in an SPS RefRpsIdx is always idx - 1 (delta_idx_minus1 absent). */
function readPredictedRps(r: BitReader, ref: ShortTermRps): ShortTermRps {
  const sign = r.u(1);
  const absDelta = r.ue() + 1;
  if (absDelta > 2 ** 15) r.fail(`abs_delta_rps_minus1 ${absDelta - 1} out of range`);
  const deltaRps = sign ? -absDelta : absDelta;
  const refCount = ref.negative.length + ref.positive.length;
  const useDelta: boolean[] = [];
  for (let j = 0; j <= refCount; j++) {
    const usedByCurrPic = r.flag();
    // use_delta_flag is inferred to be 1 when absent
    useDelta.push(usedByCurrPic || r.flag());
  }
  const refNeg = ref.negative.length;
  // (7-61): new negative deltas in decreasing order
  const negative: number[] = [];
  for (let j = ref.positive.length - 1; j >= 0; j--) {
    const d = (ref.positive[j] ?? 0) + deltaRps;
    if (d < 0 && useDelta[refNeg + j]) negative.push(d);
  }
  if (deltaRps < 0 && useDelta[refCount]) negative.push(deltaRps);
  for (let j = 0; j < refNeg; j++) {
    const d = (ref.negative[j] ?? 0) + deltaRps;
    if (d < 0 && useDelta[j]) negative.push(d);
  }
  // (7-62): new positive deltas in increasing order
  const positive: number[] = [];
  for (let j = refNeg - 1; j >= 0; j--) {
    const d = (ref.negative[j] ?? 0) + deltaRps;
    if (d > 0 && useDelta[j]) positive.push(d);
  }
  if (deltaRps > 0 && useDelta[refCount]) positive.push(deltaRps);
  for (let j = 0; j < ref.positive.length; j++) {
    const d = (ref.positive[j] ?? 0) + deltaRps;
    if (d > 0 && useDelta[refNeg + j]) positive.push(d);
  }
  if (negative.length > MAX_PICS || positive.length > MAX_PICS) {
    r.fail('predicted short-term RPS lists more than 16 pictures');
  }
  return { negative, positive };
}
