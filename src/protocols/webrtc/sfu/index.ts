export { isKeyframeStart, type SfuVideoCodec } from './keyframe.js';
export { RtpRewriter, timestampDelta } from './rtp-rewriter.js';
export {
  LayerController,
  type SimulcastLayer,
  type FeedbackSample,
  type LayerChangeReason,
  type LayerControllerOptions,
} from './layer-controller.js';
export { SimulcastSwitch, type SimulcastSwitchOptions } from './simulcast-switch.js';
export {
  parseAudioLevel,
  audioLevelOf,
  voiceActivityOf,
  ActiveSpeakerDetector,
  type AudioLevel,
  type ActiveSpeakerOptions,
} from './audio-level.js';
export { ReceiveStats, type ReceiveStatsSnapshot } from './receive-stats.js';
export { SendStats, type SendStatsSnapshot } from './send-stats.js';
export { RateWindow } from './rate-window.js';
export {
  KeyframeRequestLimiter,
  type KeyframeRequestLimiterOptions,
  type LimiterClock,
} from './keyframe-requests.js';
export { readTransportFeedback, buildTransportFeedback, type TransportFeedback } from './transport-feedback.js';
export { SendSideEstimator, type SendSideEstimatorOptions } from './send-side-estimator.js';
