import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback } from 'werift';

/**
 * An RTCP REMB (draft-alvestrand-rmcat-remb) telling a publisher how much it may send in total
 * over the given SSRCs. The bitrate travels as an 18-bit mantissa and a 6-bit exponent.
 */
export function buildRemb(senderSsrc: number, bitrateBps: number, ssrcs: readonly number[]): RtcpPayloadSpecificFeedback {
  const bitrate = Math.max(0, Math.floor(bitrateBps));
  let exp = 0;
  while (bitrate / 2 ** exp > 0x3ffff) exp++;
  const mantissa = Math.floor(bitrate / 2 ** exp);
  const remb = new ReceiverEstimatedMaxBitrate({
    senderSsrc,
    mediaSsrc: 0,
    ssrcNum: ssrcs.length,
    brExp: exp,
    brMantissa: mantissa,
    bitrate: BigInt(mantissa) * 2n ** BigInt(exp),
    ssrcFeedbacks: [...ssrcs],
  });
  return new RtcpPayloadSpecificFeedback({ feedback: remb });
}
