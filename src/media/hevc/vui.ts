import type { BitReader } from '../bits/bit-reader.js';

/** What we take from an HEVC VUI (H.265 §E.2.1). */
export interface HevcVui {
  sar?: [number, number];
  timing?: { numUnitsInTick: number; timeScale: number };
  /** time_scale / num_units_in_tick, rounded to 3 decimals. */
  fps?: number;
}

// H.265 Table E.1 (same as H.264 Table E-1): sample aspect ratios for aspect_ratio_idc 1..16
const SAR_TABLE: ReadonlyArray<readonly [number, number]> = [
  [1, 1], [12, 11], [10, 11], [16, 11], [40, 33], [24, 11], [20, 11], [32, 11],
  [80, 33], [18, 11], [15, 11], [64, 33], [160, 99], [4, 3], [3, 2], [2, 1],
];
const EXTENDED_SAR = 255;

/** Reads vui_parameters() up to the timing info; HRD and later fields are left unread. */
export function readHevcVui(r: BitReader): HevcVui {
  const vui: HevcVui = {};
  if (r.flag()) {
    const idc = r.u(8);
    if (idc === EXTENDED_SAR) {
      vui.sar = [r.u(16), r.u(16)];
    } else {
      const sar = SAR_TABLE[idc - 1];
      if (sar) vui.sar = [sar[0], sar[1]];
    }
  }
  if (r.flag()) r.skip(1); // overscan_appropriate_flag
  if (r.flag()) {
    r.skip(4); // video_format, video_full_range_flag
    if (r.flag()) r.skip(24); // colour_primaries, transfer_characteristics, matrix_coeffs
  }
  if (r.flag()) {
    r.ue(); // chroma_sample_loc_type_top_field
    r.ue(); // chroma_sample_loc_type_bottom_field
  }
  r.skip(3); // neutral_chroma_indication_flag, field_seq_flag, frame_field_info_present_flag
  if (r.flag()) {
    // default_display_window offsets
    for (let i = 0; i < 4; i++) r.ue();
  }
  if (r.flag()) {
    const numUnitsInTick = r.u(32);
    const timeScale = r.u(32);
    vui.timing = { numUnitsInTick, timeScale };
    // §E.3.1: unlike H.264, one HEVC tick is one picture
    if (numUnitsInTick > 0 && timeScale > 0) {
      vui.fps = Math.round((timeScale / numUnitsInTick) * 1000) / 1000;
    }
  }
  return vui;
}
