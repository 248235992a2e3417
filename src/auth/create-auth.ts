import { createHmac, randomBytes, createHash } from 'node:crypto';
import type { Logger } from '../base/index.js';
import type { AuthorizePlay, AuthorizePublish } from '../hub/index.js';
import type { AuditSink } from '../security/index.js';
import { AuthService } from './auth-service.js';
import { createPlayAuthorizer } from './play-authorizer.js';
import { PlaybackTokenSigner } from './playback-token.js';
import { createPublishAuthorizer } from './publish-authorizer.js';
import { assertStrongSecrets } from './secret-strength.js';
import { MemorySessionStore, type SessionStore } from './session-store.js';
import type { SigningKeyConfig } from './signing-keys.js';
import { StreamCatalog } from './stream-catalog.js';
import { StreamKeyStore } from './stream-keys.js';
import { StreamStateFile } from './stream-state-file.js';
import { FailureThrottle, SplitThrottle } from './throttle.js';
import { TokenService } from './token-service.js';
import { UserDirectory, type VerifyCredentials } from './user-directory.js';

/** Everything the auth area takes from the composition root (camelCase of the `auth` config section). */
export interface AuthOptions {
  enabled: boolean;
  /** `server.environment`: production refuses weak secrets. */
  environment: string;
  jwtSecret: string;
  jwtKeys: readonly SigningKeyConfig[];
  /** Which of jwtKeys signs; the HS256 key from jwtSecret, else the first key with private material. */
  signingKid?: string;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  playbackTtlSeconds: number;
  publishTtlSeconds: number;
  /** JSON file of the built-in user directory; '' keeps users in memory. */
  usersFile: string;
  /** JSON file of managed streams and stream-key hashes; '' keeps them in memory (lost on restart). */
  streamsFile?: string;
  allowAnonymousViewers: boolean;
  streamKeyGraceSeconds: number;
  /** HMAC secret of playback tokens; derived from jwtSecret when empty. */
  playbackTokenSecret: string;
  loginThrottle: { maxFailuresPerAccount: number; maxFailuresPerIp: number; windowSeconds: number };
  streamKeyThrottle: { maxFailuresPerIp: number; windowSeconds: number };
  audit: AuditSink;
  /** An app's own accounts; the built-in directory is used when omitted. */
  verifyCredentials?: VerifyCredentials;
  /** The shared-state seam; in memory when omitted. */
  sessions?: SessionStore;
  logger: Logger;
}

/** The auth area, built: the services routes and protocols use. */
export interface Auth {
  enabled: boolean;
  service: AuthService;
  tokens: TokenService;
  users: UserDirectory;
  sessions: SessionStore;
  keys: StreamKeyStore;
  catalog: StreamCatalog;
  playbackTokens: PlaybackTokenSigner;
  audit: AuditSink;
  streamKeyGraceSeconds: number;
  playbackTtlSeconds: number;
  /** Undefined when auth is off: publishing and playing are then open, as in embedded mode. */
  authorizePublish: AuthorizePublish | undefined;
  authorizePlay: AuthorizePlay | undefined;
  /** Waits until every change to users, streams and keys is saved. */
  close(): Promise<void>;
}

/** Builds the auth area; refuses production start-up with weak secrets (WeakSecretError). */
export async function createAuth(o: AuthOptions): Promise<Auth> {
  const log = o.logger.child({ component: 'auth' });
  if (o.enabled) {
    const secrets: Record<string, string> = {};
    if (o.jwtSecret !== '' || o.jwtKeys.length === 0) secrets['auth.jwt_secret'] = o.jwtSecret;
    for (const [i, k] of o.jwtKeys.entries()) if (k.alg === 'HS256') secrets[`auth.jwt_keys[${i}].secret`] = k.secret ?? '';
    if (o.playbackTokenSecret !== '') secrets['auth.playback_token_secret'] = o.playbackTokenSecret;
    assertStrongSecrets(o.environment, secrets);
  }
  let jwtSecret = o.jwtSecret;
  if (jwtSecret === '' && o.jwtKeys.length === 0) {
    // Development without a secret: tokens work until the process restarts.
    jwtSecret = randomBytes(32).toString('base64url');
    if (o.enabled) log.warn('auth.jwt_secret is empty: using a random secret, tokens will not survive a restart');
  }
  const keys: SigningKeyConfig[] = [...o.jwtKeys];
  let signingKid = o.signingKid;
  if (jwtSecret !== '') {
    // The kid follows the secret, so replacing the secret is a key rotation verifiers can see.
    const kid = `hs256-${createHash('sha256').update(jwtSecret).digest('hex').slice(0, 12)}`;
    keys.unshift({ kid, alg: 'HS256', secret: jwtSecret });
    signingKid ??= kid;
  }
  const tokens = await TokenService.create({
    keys,
    ...(signingKid !== undefined ? { signingKid } : {}),
    issuer: o.issuer,
    audience: o.audience,
    ttlSeconds: { access: o.accessTtlSeconds, refresh: o.refreshTtlSeconds, playback: o.playbackTtlSeconds, publish: o.publishTtlSeconds, room: 3600 },
  });
  const playbackSecret = o.playbackTokenSecret !== '' ? o.playbackTokenSecret : jwtSecret !== '' ? createHmac('sha256', jwtSecret).update('zenlive playback tokens').digest('base64url') : randomBytes(32).toString('base64url');
  const users = o.usersFile !== '' ? await UserDirectory.open(o.usersFile) : UserDirectory.memory();
  const sessions = o.sessions ?? new MemorySessionStore();
  const keyStore = new StreamKeyStore();
  const catalog = new StreamCatalog();
  const streamsFile = o.streamsFile !== undefined && o.streamsFile !== '' ? await StreamStateFile.open(o.streamsFile, catalog, keyStore, (err) => log.error({ err, file: o.streamsFile }, 'saving streams and keys failed')) : undefined;
  const playbackTokens = new PlaybackTokenSigner(playbackSecret);
  const lt = o.loginThrottle;
  // Per-account and per-IP counters share one table; the per-IP limit is the larger one, so one
  // office behind NAT is not locked out by a single user's typos.
  const loginThrottle = new FailureThrottle({ maxFailures: lt.maxFailuresPerAccount, windowMs: lt.windowSeconds * 1000, maxKeys: 50_000 });
  const ipThrottle = new FailureThrottle({ maxFailures: lt.maxFailuresPerIp, windowMs: lt.windowSeconds * 1000, maxKeys: 50_000 });
  const service = new AuthService({
    tokens,
    sessions,
    verifyCredentials: o.verifyCredentials ?? users.verifyCredentials,
    throttle: new SplitThrottle(loginThrottle, ipThrottle),
    audit: o.audit,
    accessTtlSeconds: o.accessTtlSeconds,
    refreshTtlSeconds: o.refreshTtlSeconds,
  });
  const kt = o.streamKeyThrottle;
  const keyThrottle = new FailureThrottle({ maxFailures: kt.maxFailuresPerIp, windowMs: kt.windowSeconds * 1000, maxKeys: 50_000 });
  return {
    enabled: o.enabled,
    service,
    tokens,
    users,
    sessions,
    keys: keyStore,
    catalog,
    playbackTokens,
    audit: o.audit,
    streamKeyGraceSeconds: o.streamKeyGraceSeconds,
    playbackTtlSeconds: o.playbackTtlSeconds,
    authorizePublish: o.enabled ? createPublishAuthorizer({ keys: keyStore, catalog, throttle: keyThrottle, audit: o.audit, tokens }) : undefined,
    authorizePlay: o.enabled ? createPlayAuthorizer({ catalog, signer: playbackTokens, allowAnonymousViewers: o.allowAnonymousViewers }) : undefined,
    close: async () => {
      await streamsFile?.flush();
    },
  };
}
