export { createHttpApp, type HttpAppOptions } from './server.js';
export { errorBody, statusForCode, type ErrorBody } from './error-status.js';
