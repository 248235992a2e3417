import type { Socket } from 'node:dgram';

/**
 * The file descriptor under a bound dgram socket, for native code that sends on it (the same
 * 5-tuple ICE agreed on). Node keeps the handle in its socket state under an internal symbol;
 * reading it there avoids the deprecated `_handle` getter. Undefined when the shape is not there.
 */
export function socketFd(socket: Socket): number | undefined {
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    const state: unknown = Reflect.get(socket, symbol);
    if (typeof state !== 'object' || state === null) continue;
    const handle: unknown = Reflect.get(state, 'handle');
    if (typeof handle !== 'object' || handle === null) continue;
    const fd: unknown = Reflect.get(handle, 'fd');
    if (typeof fd === 'number' && fd >= 0) return fd;
  }
  return undefined;
}
