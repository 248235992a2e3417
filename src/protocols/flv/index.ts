export { registerFlvRoutes, type FlvRoutesOptions } from './routes.js';
export { flvFrameFormat } from './flv-format.js';
