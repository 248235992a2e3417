import type { AuthOptions } from '../../src/auth/index.js';
import { silentLogger } from '../../src/base/index.js';
import { MemoryAuditSink } from '../../src/security/index.js';

/** `createAuth` options for tests: auth on, a strong secret, in-memory users and audit; override what a test is about. */
export function testAuthOptions(over: Partial<AuthOptions> = {}): AuthOptions {
  return {
    enabled: true,
    environment: 'production',
    jwtSecret: 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    jwtKeys: [],
    issuer: 'zenlive',
    audience: 'zenlive',
    accessTtlSeconds: 900,
    refreshTtlSeconds: 3600,
    playbackTtlSeconds: 300,
    publishTtlSeconds: 300,
    usersFile: '',
    allowAnonymousViewers: true,
    streamKeyGraceSeconds: 60,
    playbackTokenSecret: '',
    loginThrottle: { maxFailuresPerAccount: 5, maxFailuresPerIp: 50, windowSeconds: 900 },
    streamKeyThrottle: { maxFailuresPerIp: 50, windowSeconds: 300 },
    audit: new MemoryAuditSink(),
    logger: silentLogger(),
    ...over,
  };
}
