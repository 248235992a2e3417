export { registerWatchRoutes, type WatchRoutesOptions } from './routes.js';
export { WatchAssetMissingError, WatchPageNotFoundError } from './errors.js';
export { WATCH_TEMPLATE_PATH } from './watch-page.js';
