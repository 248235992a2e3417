import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { InvalidTokenError, SigningKeyError } from './errors.js';
import type { Grant } from './principal.js';
import { importSigningKey, type SigningKey, type SigningKeyConfig } from './signing-keys.js';

/** The four kinds of JWT; each validates only as itself (header `typ` and the `kind` claim). */
export type TokenKind = 'access' | 'refresh' | 'playback' | 'publish' | 'room';

const TYP: Record<TokenKind, string> = {
  access: 'zenlive-access+jwt',
  refresh: 'zenlive-refresh+jwt',
  playback: 'zenlive-playback+jwt',
  publish: 'zenlive-publish+jwt',
  room: 'zenlive-room+jwt',
};

/** Claims ZenLive puts in its tokens besides the registered ones. */
export interface TokenClaims {
  sub: string;
  role?: string;
  /** Session (refresh family) id. */
  sid?: string;
  grants?: Grant[];
  username?: string;
}

/** A verified token's claims. */
export interface VerifiedToken extends TokenClaims {
  kind: TokenKind;
  jti: string;
  exp: number;
  kid: string;
}

export interface TokenServiceOptions {
  /** Every key that verifies; rotation keeps the old one here for as long as its tokens live. */
  keys: readonly SigningKeyConfig[];
  /** Which key signs new tokens; the first key with private material when omitted. */
  signingKid?: string;
  issuer: string;
  audience: string;
  ttlSeconds: Record<TokenKind, number>;
  /** Allowed clock skew between nodes, seconds. */
  clockToleranceSeconds?: number;
}

/** Issues and verifies ZenLive's JWTs with jose; `alg` is pinned per key and `kid` is required. */
export class TokenService {
  private constructor(
    private readonly options: TokenServiceOptions,
    private readonly keys: ReadonlyMap<string, SigningKey>,
    private readonly signer: SigningKey,
  ) {}

  static async create(options: TokenServiceOptions): Promise<TokenService> {
    const keys = new Map<string, SigningKey>();
    for (const config of options.keys) {
      if (keys.has(config.kid)) throw new SigningKeyError(config.kid, 'kid used twice');
      keys.set(config.kid, await importSigningKey(config));
    }
    const signer = options.signingKid !== undefined ? keys.get(options.signingKid) : [...keys.values()].find((k) => k.signKey !== undefined);
    if (signer === undefined || signer.signKey === undefined) throw new SigningKeyError(options.signingKid ?? '(none)', 'no key can sign: give a secret or a private key');
    return new TokenService(options, keys, signer);
  }

  /** Signs a token of `kind`; returns it with its id and expiry (seconds since the epoch). */
  async issue(kind: TokenKind, claims: TokenClaims, options: { ttlSeconds?: number; jti?: string } = {}): Promise<{ token: string; jti: string; exp: number }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (options.ttlSeconds ?? this.options.ttlSeconds[kind]);
    const jti = options.jti ?? randomUUID();
    const { sub, ...rest } = claims;
    const token = await new SignJWT({ ...rest, kind })
      .setProtectedHeader({ alg: this.signer.alg, kid: this.signer.kid, typ: TYP[kind] })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(sub)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(this.signer.signKey as Uint8Array);
    return { token, jti, exp };
  }

  /** Verifies a token as `kind`: known kid, its pinned alg, signature, iss/aud/exp/nbf, typ and kind. */
  async verify(kind: TokenKind, token: string): Promise<VerifiedToken> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch (err) {
      throw new InvalidTokenError('token is not a JWT', { cause: err });
    }
    const key = kid !== undefined ? this.keys.get(kid) : undefined;
    if (kid === undefined || key === undefined) throw new InvalidTokenError(kid === undefined ? 'token names no key (kid)' : `token signed with unknown key ${kid}`);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key.verifyKey, {
        algorithms: [key.alg],
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: TYP[kind],
        requiredClaims: ['exp', 'nbf', 'sub', 'jti'],
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
      }));
    } catch (err) {
      throw new InvalidTokenError(describeJoseError(err), { cause: err });
    }
    if (payload['kind'] !== kind) throw new InvalidTokenError(`not a ${kind} token`);
    return {
      kind,
      kid,
      sub: payload.sub as string,
      jti: payload.jti as string,
      exp: payload.exp as number,
      ...(typeof payload['role'] === 'string' ? { role: payload['role'] } : {}),
      ...(typeof payload['sid'] === 'string' ? { sid: payload['sid'] } : {}),
      ...(typeof payload['username'] === 'string' ? { username: payload['username'] } : {}),
      ...(Array.isArray(payload['grants']) ? { grants: payload['grants'] as Grant[] } : {}),
    };
  }

  /** The JWKS document: public keys of the asymmetric keys (HS256 secrets are never published). */
  jwks(): { keys: JWK[] } {
    return { keys: [...this.keys.values()].flatMap((k) => (k.publicJwk !== undefined ? [k.publicJwk] : [])) };
  }
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `token claim ${err.claim} is not valid (${err.reason})`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature does not verify';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm is not the one pinned for its key';
  return 'token is not valid';
}
