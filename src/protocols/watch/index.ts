export { registerWatchRoutes, type WatchRoutesOptions } from './routes.js';
export { WatchAssetMissingError, WatchPageNotFoundError } from './errors.js';
