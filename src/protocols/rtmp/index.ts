export { RtmpServer, type RtmpServerOptions } from './server.js';
export { RtmpClient, parseRtmpUrl, type RtmpClientOptions, type RtmpUrl } from './client.js';
export { RtmpProtocolError, RtmpRefusedError, RtmpTimeoutError } from './errors.js';
export { MessageType, type RtmpMessage } from './message-types.js';
