import { BitReader } from '../bits/bit-reader.js';

/** What we take from an AV1 sequence header OBU payload (AV1 spec §5.5). */
export interface Av1SequenceHeader {
  profile: number;
  stillPicture: boolean;
  /** seq_level_idx[0] of the first operating point (31 = no level constraints). */
  level: number;
  /** seq_tier[0]: 0 Main, 1 High. */
  tier: number;
  maxFrameWidth: number;
  maxFrameHeight: number;
  bitDepth: number;
  monochrome: boolean;
  subsamplingX: number;
  subsamplingY: number;
  chromaSamplePosition: number;
  colorPrimaries: number;
  transferCharacteristics: number;
  matrixCoefficients: number;
  fullRange: boolean;
  /** From timing_info when equal_picture_interval is set. */
  fps?: number;
}

const CP_BT_709 = 1;
const TC_SRGB = 13;
const MC_IDENTITY = 0;
const UNSPECIFIED = 2;

/** Parses sequence_header_obu() (the payload only, without the OBU header). */
export function parseAv1SequenceHeader(payload: Buffer): Av1SequenceHeader {
  const r = new BitReader(payload, 0, 'AV1 sequence header');
  const profile = r.u(3);
  if (profile > 2) r.fail(`seq_profile ${profile} > 2`);
  const stillPicture = r.flag();
  const reduced = r.flag();
  let level = 0;
  let tier = 0;
  let fps: number | undefined;
  if (reduced) {
    level = r.u(5);
  } else {
    let decoderModelInfo = false;
    let bufferDelayLength = 0;
    if (r.flag()) {
      // timing_info() §5.5.3
      const numUnitsInDisplayTick = r.u(32);
      const timeScale = r.u(32);
      let ticksPerPicture = 1;
      const equalPictureInterval = r.flag();
      if (equalPictureInterval) ticksPerPicture = readUvlc(r) + 1;
      if (equalPictureInterval && numUnitsInDisplayTick > 0 && timeScale > 0) {
        fps = Math.round((timeScale / (numUnitsInDisplayTick * ticksPerPicture)) * 1000) / 1000;
      }
      decoderModelInfo = r.flag();
      if (decoderModelInfo) {
        // decoder_model_info() §5.5.4
        bufferDelayLength = r.u(5) + 1;
        r.skip(32 + 5 + 5); // num_units_in_decoding_tick, two length fields
      }
    }
    const initialDisplayDelay = r.flag();
    const operatingPoints = r.u(5) + 1;
    for (let i = 0; i < operatingPoints; i++) {
      r.skip(12); // operating_point_idc
      const seqLevel = r.u(5);
      const seqTier = seqLevel > 7 ? r.u(1) : 0;
      if (i === 0) {
        level = seqLevel;
        tier = seqTier;
      }
      if (decoderModelInfo && r.flag()) r.skip(2 * bufferDelayLength + 1); // operating_parameters_info()
      if (initialDisplayDelay && r.flag()) r.skip(4); // initial_display_delay_minus_1
    }
  }
  const widthBits = r.u(4) + 1;
  const heightBits = r.u(4) + 1;
  const maxFrameWidth = r.u(widthBits) + 1;
  const maxFrameHeight = r.u(heightBits) + 1;
  if (!reduced && r.flag()) r.skip(4 + 3); // frame id length fields
  r.skip(3); // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
  if (!reduced) {
    r.skip(4); // interintra_compound, masked_compound, warped_motion, dual_filter
    const orderHint = r.flag();
    if (orderHint) r.skip(2); // enable_jnt_comp, enable_ref_frame_mvs
    const chooseScreenContentTools = r.flag();
    const forceScreenContentTools = chooseScreenContentTools ? 2 : r.u(1);
    if (forceScreenContentTools > 0 && !r.flag()) r.skip(1); // seq_choose_integer_mv, seq_force_integer_mv
    if (orderHint) r.skip(3); // order_hint_bits_minus_1
  }
  r.skip(3); // enable_superres, enable_cdef, enable_restoration
  const header = readColorConfig(r, profile);
  return { profile, stillPicture, level, tier, maxFrameWidth, maxFrameHeight, ...header, ...(fps === undefined ? {} : { fps }) };
}

type ColorConfig = Pick<
  Av1SequenceHeader,
  | 'bitDepth'
  | 'monochrome'
  | 'subsamplingX'
  | 'subsamplingY'
  | 'chromaSamplePosition'
  | 'colorPrimaries'
  | 'transferCharacteristics'
  | 'matrixCoefficients'
  | 'fullRange'
>;

/** color_config() §5.5.2. */
function readColorConfig(r: BitReader, profile: number): ColorConfig {
  let bitDepth = 8;
  const highBitdepth = r.flag();
  if (profile === 2 && highBitdepth) bitDepth = r.flag() ? 12 : 10;
  else bitDepth = highBitdepth ? 10 : 8;
  const monochrome = profile === 1 ? false : r.flag();
  let colorPrimaries = UNSPECIFIED;
  let transferCharacteristics = UNSPECIFIED;
  let matrixCoefficients = UNSPECIFIED;
  if (r.flag()) {
    colorPrimaries = r.u(8);
    transferCharacteristics = r.u(8);
    matrixCoefficients = r.u(8);
  }
  const colors = { bitDepth, monochrome, colorPrimaries, transferCharacteristics, matrixCoefficients };
  if (monochrome) {
    return { ...colors, fullRange: r.flag(), subsamplingX: 1, subsamplingY: 1, chromaSamplePosition: 0 };
  }
  if (colorPrimaries === CP_BT_709 && transferCharacteristics === TC_SRGB && matrixCoefficients === MC_IDENTITY) {
    return { ...colors, fullRange: true, subsamplingX: 0, subsamplingY: 0, chromaSamplePosition: 0 };
  }
  const fullRange = r.flag();
  let subsamplingX = 1;
  let subsamplingY = 1;
  if (profile === 1) {
    subsamplingX = 0;
    subsamplingY = 0;
  } else if (profile === 2) {
    if (bitDepth === 12) {
      subsamplingX = r.u(1);
      subsamplingY = subsamplingX ? r.u(1) : 0;
    } else {
      subsamplingY = 0;
    }
  }
  const chromaSamplePosition = subsamplingX && subsamplingY ? r.u(2) : 0;
  return { ...colors, fullRange, subsamplingX, subsamplingY, chromaSamplePosition };
}

/** uvlc() §4.10.3. */
function readUvlc(r: BitReader): number {
  let leadingZeros = 0;
  while (!r.flag()) leadingZeros++;
  if (leadingZeros >= 32) return 2 ** 32 - 1;
  return r.u(leadingZeros) + 2 ** leadingZeros - 1;
}
