export { Stream, type FrameListener, type PublisherInfo, type StreamOptions, type StreamEvents, type StreamEndReason } from './stream.js';
export { StreamRegistry, type StreamRegistryEvents } from './stream-registry.js';
export { canTransition, isFinal, type StreamState } from './stream-state.js';
export { TimestampGuard } from './timestamp-guard.js';
export type { GopCacheLimits } from './gop-cache.js';
export type {
  BackpressureLimits,
  ByteSink,
  FrameFormat,
  SubscribeOptions,
  Subscription,
  SubscriberEndReason,
  ViewerProtocol,
} from './subscriber.js';
export { IllegalTransitionError, StreamAlreadyPublishingError, StreamNotFoundError } from './errors.js';
export { resolveDecision, STREAM_ID_PATTERN, type AuthorizePlay, type AuthorizePublish, type PlayDecision, type PlayRequest, type PublishDecision, type PublishRequest } from './publish-authorizer.js';
export { describeStream, type StreamInfo } from './stream-info.js';
