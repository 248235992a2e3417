import type { AudioTrackInfo } from '../frame.js';
import { parseAudioSpecificConfig } from './audio-specific-config.js';

/** Describes an AAC track from its AudioSpecificConfig (`mp4a.40.<aot>`, output rate and channels). */
export function aacTrackInfo(asc: Buffer): AudioTrackInfo {
  const config = parseAudioSpecificConfig(asc);
  return {
    codec: 'aac',
    codecString: `mp4a.40.${config.objectType}`,
    sampleRate: config.outputSampleRate,
    channels: config.channels,
    objectType: config.objectType,
  };
}
