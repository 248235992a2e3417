import { ParseError } from '../../base/index.js';

/** RFC 7587 §4.1: Opus over RTP always uses a 48 kHz clock, whatever the encoder's internal rate. */
export const OPUS_RTP_CLOCK_RATE = 48_000;

/**
 * An OpusHead (RFC 7845 §5.1) for the hub's audio configuration frame: RTP carries no such header,
 * so a WebRTC publisher's track is described by one built from the SDP's channel count.
 */
export function buildOpusHead(channels: 1 | 2, preSkip = 312, inputSampleRate = OPUS_RTP_CLOCK_RATE): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = channels;
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(inputSampleRate, 12);
  head.writeInt16LE(0, 16); // output gain
  head[18] = 0; // mapping family 0: mono or stereo
  return head;
}

// RFC 6716 §3.1: frame size in 48 kHz samples for each TOC config number
const CONFIG_SAMPLES = [
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, // SILK NB/MB/WB
  480, 960, 480, 960, // hybrid SWB/FB
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, // CELT
];

/** Samples (at 48 kHz) one Opus packet decodes to, from its TOC byte and frame count (RFC 6716 §3.1-3.2). */
export function opusPacketSamples(packet: Buffer): number {
  const toc = packet[0];
  if (toc === undefined) throw new ParseError('empty Opus packet', 0);
  const perFrame = CONFIG_SAMPLES[toc >> 3] as number;
  const code = toc & 0x03;
  if (code === 0) return perFrame;
  if (code === 1 || code === 2) return 2 * perFrame;
  const count = packet[1];
  if (count === undefined) throw new ParseError('Opus code 3 packet without a frame count', 1);
  return (count & 0x3f) * perFrame;
}
