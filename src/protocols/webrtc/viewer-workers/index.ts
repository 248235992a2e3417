export { ViewerWorkerPool, type ViewerWorkerPoolOptions } from './viewer-worker-pool.js';
export { RelayedWhepSession } from './relayed-whep-session.js';
