export { ZenLiveConfigSchema, type ZenLiveConfig, type ZenLiveConfigInput } from './schema.js';
export { parseConfig } from './parse.js';
export { loadConfig, type ConfigSources } from './load.js';
export { ConfigError } from './errors.js';
