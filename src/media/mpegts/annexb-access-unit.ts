import { AvcNalType, avcNalType, parseAvcDecoderConfig, splitNalUnits, type NalLengthSize } from '../avc/index.js';
import { HevcNalType, hevcNalType, parseHevcDecoderConfig } from '../hevc/index.js';

/** What turning a hub video frame into an Annex B access unit needs from its configuration record. */
export interface AnnexBVideoConfig {
  codec: 'h264' | 'h265';
  nalLengthSize: NalLengthSize;
  /** Parameter sets in decoding order: SPS, PPS (H.264); VPS, SPS, PPS (H.265). */
  parameterSets: Buffer[];
}

/** An access unit as chunks to copy in order, and their total size. */
export interface AnnexBAccessUnit {
  chunks: Buffer[];
  size: number;
}

// H.264 §B.1.2 asks for the zero_byte before parameter sets and an access unit's first NAL unit;
// using the 4-byte form everywhere keeps that true for one extra byte per slice
const START_CODE = Buffer.from([0, 0, 0, 1]);
// H.264 §7.3.2.4: primary_pic_type 7 (any slice type), then the rbsp stop bit
const AVC_AUD = Buffer.from([AvcNalType.AccessUnitDelimiter, 0xf0]);
// H.265 §7.3.2.5: NAL header (type 35, layer 0, TemporalId 0 + 1), pic_type 2 (I, P or B), stop bit
const HEVC_AUD = Buffer.from([HevcNalType.AccessUnitDelimiter << 1, 0x01, 0x50]);

/** Reads the NAL length size and parameter sets from an avcC or hvcC; throws ParseError if malformed. */
export function annexBVideoConfig(codec: 'h264' | 'h265', record: Buffer): AnnexBVideoConfig {
  if (codec === 'h264') {
    const avcC = parseAvcDecoderConfig(record);
    return { codec, nalLengthSize: avcC.nalLengthSize, parameterSets: [...avcC.sps, ...avcC.pps] };
  }
  const hvcC = parseHevcDecoderConfig(record);
  return { codec, nalLengthSize: hvcC.nalLengthSize, parameterSets: [...hvcC.vps, ...hvcC.sps, ...hvcC.pps] };
}

/** NAL types of the parameter sets a keyframe must be preceded by. */
function requiredSetTypes(codec: 'h264' | 'h265'): number[] {
  return codec === 'h264' ? [AvcNalType.Sps, AvcNalType.Pps] : [HevcNalType.Vps, HevcNalType.Sps, HevcNalType.Pps];
}

/**
 * Converts one frame of length-prefixed NAL units into an Annex B access unit (views on `data`,
 * nothing copied): an access unit delimiter first, which Apple's HLS authoring rules ask for and
 * which lets demuxers find access unit boundaries, then on keyframes the configuration's parameter
 * sets unless the frame carries them itself, so each segment decodes on its own. AUDs already in
 * the frame are dropped: one in the middle would split the access unit. Throws ParseError on
 * lengths that overrun the frame.
 */
export function annexBAccessUnit(data: Buffer, keyframe: boolean, config: AnnexBVideoConfig): AnnexBAccessUnit {
  const typeOf = config.codec === 'h264' ? avcNalType : hevcNalType;
  const audType = config.codec === 'h264' ? AvcNalType.AccessUnitDelimiter : HevcNalType.AccessUnitDelimiter;
  const nals = splitNalUnits(data, config.nalLengthSize).filter((nal) => nal.length > 0 && typeOf(nal) !== audType);
  const aud = config.codec === 'h264' ? AVC_AUD : HEVC_AUD;
  const chunks: Buffer[] = [START_CODE, aud];
  let size = START_CODE.length + aud.length;
  const add = (nal: Buffer): void => {
    chunks.push(START_CODE, nal);
    size += START_CODE.length + nal.length;
  };
  if (keyframe && config.parameterSets.length > 0) {
    const present = new Set(nals.map(typeOf));
    if (!requiredSetTypes(config.codec).every((type) => present.has(type))) config.parameterSets.forEach(add);
  }
  nals.forEach(add);
  return { chunks, size };
}
