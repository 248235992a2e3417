import type { AuthorizePublish, PublishDecision } from '../hub/index.js';
import type { AuditSink } from '../security/index.js';
import { authorize } from './rbac.js';
import type { StreamCatalog } from './stream-catalog.js';
import type { StreamKeyStore } from './stream-keys.js';
import type { Throttle } from './throttle.js';
import type { TokenService } from './token-service.js';
import { isRole } from './permissions.js';

export interface PublishAuthorizerOptions {
  keys: StreamKeyStore;
  catalog: StreamCatalog;
  /** Failed key attempts per IP; a blocked IP is refused before its key is even looked at. */
  throttle: Throttle;
  audit: AuditSink;
  /** When given, `?token=<publish JWT>` with the stream id as the name also publishes. */
  tokens?: TokenService;
}

/**
 * The `AuthorizePublish` for auth-enabled servers: the secret key in the URL maps to its public
 * stream id; unknown keys are refused, throttled per IP and audited.
 */
export function createPublishAuthorizer(o: PublishAuthorizerOptions): AuthorizePublish {
  return async (streamKey, request): Promise<PublishDecision> => {
    const ipKey = `publish-ip:${request.remoteAddress}`;
    const wait = o.throttle.retryAfterSeconds([ipKey]);
    if (wait > 0) return { allow: false, reason: `too many rejected stream keys from this address; retry in ${wait} s` };
    const match = o.keys.verify(streamKey);
    if (match !== undefined) {
      const stream = o.catalog.get(match.streamId);
      if (stream?.stopped === true) return { allow: false, reason: `stream ${stream.id} was stopped by an operator` };
      if (stream !== undefined) return { allow: true, streamId: match.streamId };
    }
    const token = request.query['token'];
    if (token !== undefined && o.tokens !== undefined) {
      try {
        const claims = await o.tokens.verify('publish', token);
        const stream = o.catalog.get(streamKey);
        const principal = { kind: 'user' as const, role: isRole(claims.role) ? claims.role : 'viewer' as const, userId: claims.sub, grants: claims.grants ?? [] };
        if (stream !== undefined && !stream.stopped && authorize(principal, 'streams:publish', { streamId: stream.id, ownerId: stream.ownerId }).allow) return { allow: true, streamId: stream.id };
      } catch {
        // Falls through to the refusal below: a bad token is a bad key.
      }
    }
    o.throttle.fail([ipKey]);
    o.audit.append({ type: 'stream_key.rejected', actor: 'anonymous', ip: request.remoteAddress, data: { protocol: request.protocol, app: request.app } });
    return { allow: false, reason: 'stream key rejected' };
  };
}
