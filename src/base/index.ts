export { ZenLiveError, ParseError } from './errors.js';
export { createLogger, silentLogger, type Logger, type LogLevel, type LoggerSettings } from './logger.js';
export { monotonicMs, wallClockMs } from './clock.js';
export { PreparedResponse, type ExchangeHandler, type ExchangeHeader, type HttpExchange } from './http-exchange.js';
export { loadStaticAsset, StaticAssetMissingError, type StaticAsset } from './static-asset.js';
export { workerScript, type WorkerScript } from './worker-script.js';
export { LATENCY_BUCKETS_MS, LatencyHistogram, latencyQuantile, type LatencySnapshot } from './latency-histogram.js';
