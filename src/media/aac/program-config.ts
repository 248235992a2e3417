import type { BitReader } from '../bits/bit-reader.js';

/**
 * Reads program_config_element() (ISO 14496-3 §4.4.1.1, Table 4.2) far enough to count the
 * output channels it declares: a CPE is two channels, SCE and LFE one.
 */
export function readPceChannelCount(r: BitReader): number {
  r.skip(4 + 2 + 4); // element_instance_tag, object_type, sampling_frequency_index
  const front = r.u(4);
  const side = r.u(4);
  const back = r.u(4);
  const lfe = r.u(2);
  r.skip(3 + 4); // num_assoc_data_elements, num_valid_cc_elements
  if (r.flag()) r.skip(4); // mono_mixdown_element_number
  if (r.flag()) r.skip(4); // stereo_mixdown_element_number
  if (r.flag()) r.skip(3); // matrix_mixdown_idx, pseudo_surround_enable
  let channels = lfe;
  for (let i = 0; i < front + side + back; i++) {
    channels += r.flag() ? 2 : 1; // *_element_is_cpe
    r.skip(4); // *_element_tag_select
  }
  return channels;
}
