/** ISO 14496-3 Table 1.18: sampling frequency per samplingFrequencyIndex 0..12. */
export const AAC_SAMPLE_RATES: readonly number[] = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/** samplingFrequencyIndex 15: the rate follows as an explicit 24-bit number. */
export const EXPLICIT_RATE_INDEX = 15;

/** ISO 14496-3 Table 1.19 (with the 2009+ additions 11..14): channel count per channelConfiguration. */
const CHANNELS_BY_CONFIG: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8, 0];

/** Number of output channels for a channelConfiguration (0 when the config needs a PCE or is reserved). */
export function channelsForConfig(channelConfig: number): number {
  return CHANNELS_BY_CONFIG[channelConfig] ?? 0;
}

/** The channelConfiguration for a channel count, or undefined when only a PCE can describe it. */
export function configForChannels(channels: number): number | undefined {
  if (channels >= 1 && channels <= 6) return channels;
  return channels === 8 ? 7 : undefined;
}
