export { EventBus } from './event-bus.js';
export type { ViewerEvent, ZenLiveEventName, ZenLiveEvents } from './types.js';
export * from './webhooks/index.js';
