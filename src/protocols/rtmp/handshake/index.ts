export { ServerHandshake, type ServerHandshakeOptions } from './server-handshake.js';
export { ClientHandshake, type ClientHandshakeOptions } from './client-handshake.js';
export { HandshakeError, type HandshakeFailure } from './errors.js';
export type { DigestScheme } from './digest.js';
export type { HandshakeMode, HandshakeStep, RandomSource } from './types.js';
