import type { AuthorizePlay, PlayDecision } from '../hub/index.js';
import type { PlaybackTokenSigner } from './playback-token.js';
import type { StreamCatalog } from './stream-catalog.js';

export interface PlayAuthorizerOptions {
  catalog: StreamCatalog;
  signer: PlaybackTokenSigner;
  /** When false every stream needs a playback token, not only private ones. */
  allowAnonymousViewers: boolean;
}

const ALLOW: PlayDecision = { allow: true };

/**
 * The `AuthorizePlay` for auth-enabled servers: public streams play freely, private ones need a
 * signed playback token for that stream (and that IP, when bound). Synchronous and I/O-free.
 */
export function createPlayAuthorizer(o: PlayAuthorizerOptions): AuthorizePlay {
  return (request) => {
    const stream = o.catalog.get(request.streamId);
    if (stream?.private !== true && o.allowAnonymousViewers) return ALLOW;
    if (request.token === undefined || request.token === '') return { allow: false, status: 401, reason: 'this stream needs a playback token' };
    const check = o.signer.check(request.token, request.streamId, request.remoteAddress);
    if (check.ok) return ALLOW;
    switch (check.reason) {
      case 'expired':
        return { allow: false, status: 401, reason: 'playback token expired' };
      case 'wrong-stream':
        return { allow: false, status: 403, reason: 'playback token is for another stream' };
      case 'wrong-ip':
        return { allow: false, status: 403, reason: 'playback token is bound to another address' };
      default:
        return { allow: false, status: 401, reason: 'playback token is not valid' };
    }
  };
}
