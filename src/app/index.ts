export { ZenLiveApp, type AppHooks } from './zenlive-app.js';
export { pendingFeatures } from './feature-status.js';
