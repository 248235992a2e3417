/** The public surface of the zenlive package. */
export { createZenLive, ZenLive, type StreamsApi, type ZenLiveOptions } from './sdk/index.js';
export { ZenLiveClient, ZenLiveApiError, paginate, type ZenLiveClientOptions, type ClientTokens, type PageOf } from './sdk/index.js';
export type * as ApiTypes from './sdk/client/types.js';
export { ConfigError, parseConfig, loadConfig, type ZenLiveConfig, type ZenLiveConfigInput } from './config/index.js';
export type { ZenLiveEvents, ZenLiveEventName, ViewerEvent } from './events/index.js';
export type { StreamInfo, StreamState, AuthorizePublish, PublishDecision, PublishRequest, ViewerProtocol } from './hub/index.js';
export type { VideoTrackInfo, AudioTrackInfo } from './media/index.js';
export { ZenLiveError } from './base/index.js';
export { RtmpClient, RtmpRefusedError, type RtmpClientOptions } from './protocols/rtmp/index.js';
