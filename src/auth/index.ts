export { createAuth, type Auth, type AuthOptions } from './create-auth.js';
export { AuthService, type AuthServiceOptions, type ClientInfo, type TokenPair } from './auth-service.js';
export { TokenService, type TokenKind, type TokenClaims, type TokenServiceOptions, type VerifiedToken } from './token-service.js';
export { importSigningKey, SIGNING_ALGORITHMS, type SigningAlgorithm, type SigningKey, type SigningKeyConfig } from './signing-keys.js';
export { assertStrongSecrets, secretWeakness, MIN_SECRET_BYTES } from './secret-strength.js';
export { UserDirectory, USERNAME_PATTERN, type User, type Page, type VerifiedAccount, type VerifyCredentials } from './user-directory.js';
export { MemorySessionStore, type Session, type SessionStore, type RotateResult } from './session-store.js';
export { SharedStateSessionStore, type SharedStateSessionStoreOptions } from './shared-state-session-store.js';
export { StreamKeyStore, type IssuedStreamKey, type StreamKeyMatch } from './stream-keys.js';
export { StreamCatalog, type ManagedStream } from './stream-catalog.js';
export { PlaybackTokenSigner, type PlaybackGrant, type PlaybackCheck } from './playback-token.js';
export { FailureThrottle, SplitThrottle, type Throttle, type ThrottleOptions } from './throttle.js';
export { createPublishAuthorizer, type PublishAuthorizerOptions } from './publish-authorizer.js';
export { createPlayAuthorizer, type PlayAuthorizerOptions } from './play-authorizer.js';
export { authorize, hasGrant, type AuthzDecision } from './rbac.js';
export { ANONYMOUS, type Grant, type Principal, type ResourceRef } from './principal.js';
export { isPermission, isRole, OWNER_SCOPED, PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Permission, type PrincipalRole, type Role } from './permissions.js';
export {
  AuthenticationRequiredError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidTokenError,
  ManagedStreamExistsError,
  ManagedStreamNotFoundError,
  RefreshTokenReusedError,
  SessionNotFoundError,
  SigningKeyError,
  ThrottledError,
  UserExistsError,
  UserNotFoundError,
  WeakSecretError,
} from './errors.js';
