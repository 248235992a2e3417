import { ParseError } from '../../base/index.js';
import { BitReader } from '../bits/bit-reader.js';
import { removeEmulationPrevention } from '../bits/emulation-prevention.js';
import { AvcNalType } from './nal-units.js';

/** What we take from an H.264 sequence parameter set (H.264 §7.3.2.1.1). */
export interface AvcSps {
  profileIdc: number;
  /** constraint_set0..5 flags and the 2 reserved bits, as the byte the avcC copies. */
  constraintFlags: number;
  levelIdc: number;
  spsId: number;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  frameMbsOnly: boolean;
  /** Decoded size before cropping (macroblock multiples). */
  codedWidth: number;
  codedHeight: number;
  /** Display size after frame cropping. */
  width: number;
  height: number;
  /** Sample aspect ratio from the VUI, when given. */
  sar?: [number, number];
  /** VUI timing, when present. */
  timing?: { numUnitsInTick: number; timeScale: number; fixedFrameRate: boolean };
  /** time_scale / (2 * num_units_in_tick), rounded to 3 decimals, when timing is present. */
  fps?: number;
}

// H.264 §7.4.2.1.1: profiles whose SPS carries chroma_format_idc, bit depths and scaling lists
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

// H.264 Table E-1: sample aspect ratios for aspect_ratio_idc 1..16
const SAR_TABLE: ReadonlyArray<readonly [number, number]> = [
  [1, 1], [12, 11], [10, 11], [16, 11], [40, 33], [24, 11], [20, 11], [32, 11],
  [80, 33], [18, 11], [15, 11], [64, 33], [160, 99], [4, 3], [3, 2], [2, 1],
];
const EXTENDED_SAR = 255;

/** Parses an H.264 SPS NAL unit (with its 1-byte NAL header, emulation prevention allowed). */
export function parseAvcSps(nal: Buffer): AvcSps {
  const r = new BitReader(removeEmulationPrevention(nal), 0, 'H.264 SPS');
  r.skip(3); // forbidden_zero_bit, nal_ref_idc
  const nalType = r.u(5);
  if (nalType !== AvcNalType.Sps) r.fail(`NAL type ${nalType} is not an SPS`);
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  const spsId = r.ue();
  if (spsId > 31) r.fail(`seq_parameter_set_id ${spsId} > 31`);

  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) r.fail(`chroma_format_idc ${chromaFormatIdc} > 3`);
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepthLuma = 8 + r.ue();
    bitDepthChroma = 8 + r.ue();
    if (bitDepthLuma > 14 || bitDepthChroma > 14) r.fail('bit depth above 14');
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      // seq_scaling_matrix_present_flag: 8 lists, 12 for 4:4:4
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }

  r.ue(); // log2_max_frame_num_minus4
  const picOrderCntType = r.ue();
  if (picOrderCntType === 0) {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (picOrderCntType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > 255) r.fail(`num_ref_frames_in_pic_order_cnt_cycle ${cycle} > 255`);
    for (let i = 0; i < cycle; i++) r.se();
  } else if (picOrderCntType !== 2) {
    r.fail(`pic_order_cnt_type ${picOrderCntType} > 2`);
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.ue() + 1;
  const heightInMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag

  const codedWidth = widthInMbs * 16;
  // §7.4.2.1.1 (7-18): field-coded streams count map units per field
  const codedHeight = (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16;
  let width = codedWidth;
  let height = codedHeight;
  if (r.flag()) {
    const left = r.ue();
    const right = r.ue();
    const top = r.ue();
    const bottom = r.ue();
    // §7.4.2.1.1 (7-19..7-22): crop offsets count chroma samples, and field pairs vertically
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
    const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
    width -= cropUnitX * (left + right);
    height -= cropUnitY * (top + bottom);
  }
  if (width <= 0 || height <= 0 || codedWidth > 65536 || codedHeight > 65536) {
    r.fail(`implausible picture size ${width}x${height}`);
  }

  const sps: AvcSps = {
    profileIdc,
    constraintFlags,
    levelIdc,
    spsId,
    chromaFormatIdc,
    bitDepthLuma,
    bitDepthChroma,
    frameMbsOnly,
    codedWidth,
    codedHeight,
    width,
    height,
  };
  if (r.flag()) {
    try {
      parseVui(r, sps);
    } catch (err) {
      // a cut-short VUI (seen from some hardware encoders) still leaves a usable picture size
      if (!(err instanceof ParseError)) throw err;
    }
  }
  return sps;
}

/** scaling_list() (H.264 §7.3.2.1.1.1): only the deltas' bit lengths matter to us. */
function skipScalingList(r: BitReader, size: number): void {
  let lastScale = 8;
  let nextScale = 8;
  for (let j = 0; j < size; j++) {
    if (nextScale !== 0) {
      const delta = r.se();
      nextScale = (((lastScale + delta) % 256) + 256) % 256;
    }
    lastScale = nextScale === 0 ? lastScale : nextScale;
  }
}

/** vui_parameters() (H.264 §E.1.1) up to the timing info, which is all we need. */
function parseVui(r: BitReader, sps: AvcSps): void {
  if (r.flag()) {
    const idc = r.u(8);
    if (idc === EXTENDED_SAR) {
      sps.sar = [r.u(16), r.u(16)];
    } else {
      const sar = SAR_TABLE[idc - 1];
      if (sar) sps.sar = [sar[0], sar[1]];
    }
  }
  if (r.flag()) r.skip(1); // overscan_appropriate_flag
  if (r.flag()) {
    r.skip(4); // video_format, video_full_range_flag
    if (r.flag()) r.skip(24); // colour_primaries, transfer_characteristics, matrix_coefficients
  }
  if (r.flag()) {
    r.ue(); // chroma_sample_loc_type_top_field
    r.ue(); // chroma_sample_loc_type_bottom_field
  }
  if (r.flag()) {
    const numUnitsInTick = r.u(32);
    const timeScale = r.u(32);
    const fixedFrameRate = r.flag();
    sps.timing = { numUnitsInTick, timeScale, fixedFrameRate };
    // §E.2.1: a frame lasts two ticks (one per field); x264 and most encoders leave
    // fixed_frame_rate_flag at 0 for CFR output, so the rate is reported either way
    if (numUnitsInTick > 0 && timeScale > 0) {
      sps.fps = Math.round((timeScale / (2 * numUnitsInTick)) * 1000) / 1000;
    }
  }
}
