export { HlsService } from './hls-service.js';
export type { HlsOptions } from './options.js';
export { writeMediaPlaylist, type MediaPlaylistOptions } from './playlist-writer.js';
export { writeMasterPlaylist, type Variant } from './master-playlist.js';
export { registerHlsApiRoutes } from './api-routes.js';
export type { RenditionStatus } from './hls-stream.js';
export type { HlsFileSink } from './offload-writer.js';
