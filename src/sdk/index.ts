export { createZenLive, ZenLive, type StreamsApi, type ZenLiveOptions } from './zenlive.js';
export { ZenLiveClient, type ZenLiveClientOptions } from './client.js';
export { ZenLiveApiError } from './client/api-error.js';
export { paginate, type PageOf } from './client/pages.js';
export type { ClientTokens } from './client/transport.js';
export type * from './client/types.js';
