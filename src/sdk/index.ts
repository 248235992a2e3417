export { createZenLive, ZenLive, type StreamsApi, type ZenLiveOptions } from './zenlive.js';
