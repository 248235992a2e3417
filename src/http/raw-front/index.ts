export { FrontedServer, type RawFrontOptions } from './fronted-server.js';
export { NodeExchange } from './node-exchange.js';
export { parseRequestHead, isHeadError, type RequestHead, type RequestHeadError } from './request-head.js';
