import { AacUnsupportedConfigError } from './errors.js';
import type { AudioSpecificConfig } from './audio-specific-config.js';

/** Size of an ADTS header without CRC. */
export const ADTS_HEADER_SIZE = 7;
const MAX_FRAME_LENGTH = 0x1fff;

/**
 * Builds the 7-byte ADTS header (ISO 14496-3 §1.A.2.2, protection_absent = 1) that turns a raw
 * AAC frame of `payloadLength` bytes into a self-describing one, as MPEG-TS/HLS carries AAC.
 * HE-AAC is written as its core (LC) object type and rate: SBR is then found implicitly.
 */
export function buildAdtsHeader(asc: AudioSpecificConfig, payloadLength: number): Buffer {
  const profile = asc.coreObjectType - 1; // ADTS profile_ObjectType is AOT - 1, 2 bits
  if (profile < 0 || profile > 3) {
    throw new AacUnsupportedConfigError(`object type ${asc.coreObjectType} cannot be carried in ADTS`);
  }
  if (asc.samplingFrequencyIndex > 12) {
    throw new AacUnsupportedConfigError(`explicit sampling rate ${asc.sampleRate} cannot be carried in ADTS`);
  }
  if (asc.channelConfig < 1 || asc.channelConfig > 7) {
    throw new AacUnsupportedConfigError(`channel configuration ${asc.channelConfig} cannot be carried in ADTS`);
  }
  const frameLength = ADTS_HEADER_SIZE + payloadLength;
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || frameLength > MAX_FRAME_LENGTH) {
    throw new AacUnsupportedConfigError(`ADTS frame of ${frameLength} bytes exceeds 8191`);
  }
  const header = Buffer.allocUnsafe(ADTS_HEADER_SIZE);
  header[0] = 0xff; // syncword 0xFFF ...
  header[1] = 0xf1; // ... ID 0 (MPEG-4), layer 00, protection_absent 1
  header[2] = (profile << 6) | (asc.samplingFrequencyIndex << 2) | (asc.channelConfig >> 2);
  // channel config low bits, original/copy, home, copyright bits 0, then frame length's top 2 bits
  header[3] = ((asc.channelConfig & 0x03) << 6) | (frameLength >> 11);
  header[4] = (frameLength >> 3) & 0xff;
  // buffer fullness 0x7FF means variable bit rate; one raw data block per frame
  header[5] = ((frameLength & 0x07) << 5) | 0x1f;
  header[6] = 0xfc;
  return header;
}
