import { ParseError } from '../../base/index.js';
import { BitReader } from '../bits/bit-reader.js';
import { removeEmulationPrevention } from '../bits/emulation-prevention.js';
import { HevcNalType } from './nal-units.js';
import { readProfileTierLevel, type HevcProfileTierLevel } from './profile-tier-level.js';
import { readShortTermRps, type ShortTermRps } from './st-ref-pic-set.js';
import { readHevcVui } from './vui.js';

/** What we take from an H.265 sequence parameter set (H.265 §7.3.2.2). */
export interface HevcSps {
  vpsId: number;
  maxSubLayers: number;
  ptl: HevcProfileTierLevel;
  spsId: number;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** pic_width/height_in_luma_samples, before the conformance window. */
  codedWidth: number;
  codedHeight: number;
  /** Size after conformance window cropping. */
  width: number;
  height: number;
  sar?: [number, number];
  timing?: { numUnitsInTick: number; timeScale: number };
  /** From the VUI timing info, when present. */
  fps?: number;
}

/** Parses an H.265 SPS NAL unit (with its 2-byte NAL header, emulation prevention allowed). */
export function parseHevcSps(nal: Buffer): HevcSps {
  const r = new BitReader(removeEmulationPrevention(nal), 0, 'H.265 SPS');
  r.skip(1); // forbidden_zero_bit
  const nalType = r.u(6);
  if (nalType !== HevcNalType.Sps) r.fail(`NAL type ${nalType} is not an SPS`);
  // multi-layer SPS (nuh_layer_id > 0, §F.7.3.2.2) has another syntax
  if (r.u(6) !== 0) r.fail('SPS of a non-base layer');
  r.skip(3); // nuh_temporal_id_plus1
  const vpsId = r.u(4);
  const maxSubLayersMinus1 = r.u(3);
  if (maxSubLayersMinus1 > 6) r.fail(`sps_max_sub_layers_minus1 ${maxSubLayersMinus1} > 6`);
  r.skip(1); // sps_temporal_id_nesting_flag
  const ptl = readProfileTierLevel(r, maxSubLayersMinus1);
  const spsId = r.ue();
  if (spsId > 15) r.fail(`sps_seq_parameter_set_id ${spsId} > 15`);
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc > 3) r.fail(`chroma_format_idc ${chromaFormatIdc} > 3`);
  const separateColourPlane = chromaFormatIdc === 3 && r.flag();
  const codedWidth = r.ue();
  const codedHeight = r.ue();
  let width = codedWidth;
  let height = codedHeight;
  if (r.flag()) {
    const left = r.ue();
    const right = r.ue();
    const top = r.ue();
    const bottom = r.ue();
    // §7.4.3.2.1: offsets count chroma samples (SubWidthC/SubHeightC from Table 6-1)
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    width -= subWidthC * (left + right);
    height -= subHeightC * (top + bottom);
  }
  if (width <= 0 || height <= 0 || codedWidth > 65536 || codedHeight > 65536) {
    r.fail(`implausible picture size ${width}x${height}`);
  }
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  if (bitDepthLuma > 16 || bitDepthChroma > 16) r.fail('bit depth above 16');
  const sps: HevcSps = {
    vpsId,
    maxSubLayers: maxSubLayersMinus1 + 1,
    ptl,
    spsId,
    chromaFormatIdc,
    bitDepthLuma,
    bitDepthChroma,
    codedWidth,
    codedHeight,
    width,
    height,
  };
  try {
    readToVui(r, maxSubLayersMinus1, sps);
  } catch (err) {
    // the size is known by now; a stream whose later syntax we misread still gets it
    if (!(err instanceof ParseError)) throw err;
  }
  return sps;
}

/** Walks the rest of the SPS (§7.3.2.2.1) to reach the VUI, which carries the frame rate. */
function readToVui(r: BitReader, maxSubLayersMinus1: number, sps: HevcSps): void {
  const log2MaxPocLsb = r.ue() + 4;
  if (log2MaxPocLsb > 16) r.fail(`log2_max_pic_order_cnt_lsb ${log2MaxPocLsb} > 16`);
  const subLayerOrderingInfo = r.flag();
  for (let i = subLayerOrderingInfo ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    r.ue(); // sps_max_dec_pic_buffering_minus1
    r.ue(); // sps_max_num_reorder_pics
    r.ue(); // sps_max_latency_increase_plus1
  }
  // log2_min_luma_coding_block_size_minus3 .. max_transform_hierarchy_depth_intra
  for (let i = 0; i < 6; i++) r.ue();
  if (r.flag() && r.flag()) skipScalingListData(r); // scaling_list_enabled, sps_scaling_list_data_present
  r.skip(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.flag()) {
    // pcm_enabled_flag
    r.skip(8); // pcm_sample_bit_depth_luma/chroma_minus1
    r.ue(); // log2_min_pcm_luma_coding_block_size_minus3
    r.ue(); // log2_diff_max_min_pcm_luma_coding_block_size
    r.skip(1); // pcm_loop_filter_disabled_flag
  }
  const numShortTermRps = r.ue();
  if (numShortTermRps > 64) r.fail(`num_short_term_ref_pic_sets ${numShortTermRps} > 64`);
  const sets: ShortTermRps[] = [];
  for (let i = 0; i < numShortTermRps; i++) sets.push(readShortTermRps(r, i, sets));
  if (r.flag()) {
    // long_term_ref_pics_present_flag
    const numLongTerm = r.ue();
    if (numLongTerm > 32) r.fail(`num_long_term_ref_pics_sps ${numLongTerm} > 32`);
    for (let i = 0; i < numLongTerm; i++) r.skip(log2MaxPocLsb + 1); // lt_ref_pic_poc_lsb_sps, used flag
  }
  r.skip(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  if (r.flag()) Object.assign(sps, readHevcVui(r));
}

/** scaling_list_data() (H.265 §7.3.4): read only to move past it. */
function skipScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.flag()) {
        r.ue(); // scaling_list_pred_matrix_id_delta
        continue;
      }
      const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
      if (sizeId > 1) r.se(); // scaling_list_dc_coef_minus8
      for (let i = 0; i < coefNum; i++) r.se(); // scaling_list_delta_coef
    }
  }
}
