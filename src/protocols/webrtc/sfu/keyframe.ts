/** Video codecs whose RTP payloads the SFU inspects for keyframes. */
export type SfuVideoCodec = 'h264' | 'vp8' | 'vp9';

const H264_IDR = 5;
const H264_SPS = 7;
const H264_STAP_A = 24;
const H264_FU_A = 28;

/**
 * True when this RTP payload begins a keyframe (for an H.264 STAP-A: contains the start of one),
 * so a forwarder may switch a subscriber onto this stream here. Reads only the payload descriptor
 * and never throws: garbage or truncated input is simply "not a keyframe start".
 */
export function isKeyframeStart(codec: SfuVideoCodec, payload: Buffer): boolean {
  switch (codec) {
    case 'h264':
      return h264KeyframeStart(payload);
    case 'vp8':
      return vp8KeyframeStart(payload);
    case 'vp9':
      return vp9KeyframeStart(payload);
    default:
      return false;
  }
}

function isH264KeyNal(type: number): boolean {
  return type === H264_IDR || type === H264_SPS;
}

// RFC 6184 §5.6–5.8: single NAL unit, STAP-A and FU-A packets
function h264KeyframeStart(p: Buffer): boolean {
  if (p.length < 1) return false;
  const type = (p[0] as number) & 0x1f;
  if (isH264KeyNal(type)) return true;
  if (type === H264_STAP_A) {
    // §5.7.1: after the STAP-A header, each NAL unit is preceded by its 16-bit size
    let offset = 1;
    while (offset + 2 < p.length) {
      const size = p.readUInt16BE(offset);
      if (size === 0) return false;
      if (isH264KeyNal((p[offset + 2] as number) & 0x1f)) return true;
      offset += 2 + size;
    }
    return false;
  }
  if (type === H264_FU_A) {
    if (p.length < 2) return false;
    const fuHeader = p[1] as number;
    // §5.8: S bit marks the first fragment; only the first one carries the slice header
    return (fuHeader & 0x80) !== 0 && isH264KeyNal(fuHeader & 0x1f);
  }
  return false;
}

// RFC 7741 §4.2 payload descriptor, then §4.3 payload header
function vp8KeyframeStart(p: Buffer): boolean {
  if (p.length < 1) return false;
  const b0 = p[0] as number;
  const start = (b0 & 0x10) !== 0;
  const partition = b0 & 0x07;
  if (!start || partition !== 0) return false;
  let offset = 1;
  if ((b0 & 0x80) !== 0) {
    if (p.length < 2) return false;
    const x = p[1] as number;
    offset = 2;
    if ((x & 0x80) !== 0) {
      // I: PictureID, 15 bits when its M bit is set, else 7 bits
      if (p.length <= offset) return false;
      offset += ((p[offset] as number) & 0x80) !== 0 ? 2 : 1;
    }
    if ((x & 0x40) !== 0) offset += 1; // L: TL0PICIDX
    if ((x & 0x30) !== 0) offset += 1; // T or K: TID/Y/KEYIDX share one byte
  }
  if (p.length <= offset) return false;
  // §4.3: P is the inverse key frame flag, 0 for a key frame
  return ((p[offset] as number) & 0x01) === 0;
}

// RFC 9628 §4.2: B (start of frame) set and P (inter-picture predicted) clear
function vp9KeyframeStart(p: Buffer): boolean {
  if (p.length < 1) return false;
  const b0 = p[0] as number;
  return (b0 & 0x08) !== 0 && (b0 & 0x40) === 0;
}
