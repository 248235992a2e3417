export { parseRtpPacket, serializeRtpPacket, type RtpHeaderFields, type RtpPacketView } from './rtp-packet.js';
export { sequenceDelta, SequenceUnwrapper } from './sequence.js';
export { packetizeH264, H264RtpNalType, MIN_H264_PAYLOAD_SIZE } from './h264-packetizer.js';
export { H264Depacketizer, type H264AccessUnit, type RtpPayloadPacket } from './h264-depacketizer.js';
export { buildOpusHead, opusPacketSamples, OPUS_RTP_CLOCK_RATE } from './opus.js';
export { RtpReorderBuffer } from './reorder-buffer.js';
export { Vp8Depacketizer, vp8DescriptorLength, type Vp8Frame } from './vp8-depacketizer.js';
export { Vp9Depacketizer, readVp9Descriptor, type Vp9Frame } from './vp9-depacketizer.js';
