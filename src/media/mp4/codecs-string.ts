import { parseAudioSpecificConfig } from '../aac/index.js';
import { av1TrackInfo } from '../av1/index.js';
import { avcCodecString, parseAvcDecoderConfig } from '../avc/index.js';
import { hevcCodecString, parseHevcDecoderConfig } from '../hevc/index.js';
import type { Mp4Track } from './tracks.js';

/**
 * The RFC 6381 codec string of one track as our sample entries describe it (`avc1.64001f`,
 * `hvc1.1.6.L93.B0`, `av01.0.08M.08`, `mp4a.40.2`, `opus`); throws ParseError on a bad config.
 */
export function mp4CodecString(track: Mp4Track): string {
  switch (track.codec) {
    case 'h264': {
      // RFC 6381 §3.3: profile, constraint flags and level bytes of the avcC
      const avcC = parseAvcDecoderConfig(track.config);
      return avcCodecString(avcC.profile, avcC.compat, avcC.level);
    }
    case 'h265':
      // ISO/IEC 14496-15 Annex E; the prefix names our sample entry, hvc1
      return hevcCodecString(parseHevcDecoderConfig(track.config), 'hvc1');
    case 'av1':
      return av1TrackInfo(track.config).codecString;
    case 'aac':
      // RFC 6381 §3.3: mp4a, the esds objectTypeIndication 0x40, then the audio object type
      // (Apple's HLS spec: 2 for AAC-LC, 5 for HE-AAC, 29 for HE-AACv2)
      return `mp4a.40.${parseAudioSpecificConfig(track.config).objectType}`;
    case 'opus':
      // the 'Opus' sample entry's codecs parameter is lower case (the MP4RA registration, MSE)
      return 'opus';
  }
}

/** The CODECS attribute value of a master playlist for these tracks, e.g. `avc1.64001f,mp4a.40.2`. */
export function mp4Codecs(tracks: readonly Mp4Track[]): string {
  return tracks.map(mp4CodecString).join(',');
}
