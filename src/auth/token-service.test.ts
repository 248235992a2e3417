import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { InvalidTokenError, SigningKeyError } from './errors.js';
import type { SigningKeyConfig } from './signing-keys.js';
import { TokenService, type TokenKind } from './token-service.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!!';
const TTL = { access: 900, refresh: 3600, playback: 300, publish: 300, room: 3600 };

function service(keys: SigningKeyConfig[], extra: { signingKid?: string; audience?: string; issuer?: string } = {}): Promise<TokenService> {
  return TokenService.create({ keys, issuer: extra.issuer ?? 'zenlive-test', audience: extra.audience ?? 'zenlive-api', ttlSeconds: TTL, ...(extra.signingKid !== undefined ? { signingKid: extra.signingKid } : {}) });
}

async function edKey(kid: string, withPrivate = true): Promise<SigningKeyConfig> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  return { kid, alg: 'EdDSA', publicKey: await exportSPKI(publicKey), ...(withPrivate ? { privateKey: await exportPKCS8(privateKey) } : {}) };
}

async function rsKey(kid: string): Promise<SigningKeyConfig> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, alg: 'RS256', publicKey: await exportSPKI(publicKey), privateKey: await exportPKCS8(privateKey) };
}

async function refused(p: Promise<unknown>, message: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidTokenError);
  expect((err as Error).message).toMatch(message);
}

describe('TokenService', () => {
  it('issues and verifies each kind with HS256, EdDSA and RS256', async () => {
    for (const key of [{ kid: 'hs', alg: 'HS256', secret: SECRET }, await edKey('ed'), await rsKey('rs')]) {
      const tokens = await service([key]);
      for (const kind of ['access', 'refresh', 'playback', 'publish'] as TokenKind[]) {
        const { token, jti } = await tokens.issue(kind, { sub: 'usr_1', role: 'viewer', sid: 'ses_1' });
        const v = await tokens.verify(kind, token);
        expect(v).toMatchObject({ kind, sub: 'usr_1', role: 'viewer', sid: 'ses_1', jti, kid: key.kid });
      }
    }
  });

  it('each kind validates only as itself', async () => {
    const tokens = await service([{ kid: 'hs', alg: 'HS256', secret: SECRET }]);
    const { token } = await tokens.issue('refresh', { sub: 'usr_1', sid: 'ses_1' });
    await refused(tokens.verify('access', token), /typ|not a access/);
    const playback = (await tokens.issue('playback', { sub: 'usr_1' })).token;
    await refused(tokens.verify('publish', playback), /typ|not a publish/);
  });

  it('refuses an expired token', async () => {
    const tokens = await service([{ kid: 'hs', alg: 'HS256', secret: SECRET }]);
    const { token } = await tokens.issue('access', { sub: 'usr_1', sid: 's' }, { ttlSeconds: -60 });
    await refused(tokens.verify('access', token), /expired/);
  });

  it('refuses a tampered token (payload changed, signature kept)', async () => {
    const tokens = await service([{ kid: 'hs', alg: 'HS256', secret: SECRET }]);
    const { token } = await tokens.issue('access', { sub: 'usr_1', role: 'viewer', sid: 's' });
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    payload['role'] = 'admin';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    await refused(tokens.verify('access', forged), /signature/);
  });

  it('refuses a token for another audience or from another issuer', async () => {
    const key = { kid: 'hs', alg: 'HS256', secret: SECRET };
    const other = await service([key], { audience: 'someone-else' });
    const { token } = await other.issue('access', { sub: 'usr_1', sid: 's' });
    await refused((await service([key])).verify('access', token), /aud/);
    const foreign = await service([key], { issuer: 'evil' });
    await refused((await service([key])).verify('access', (await foreign.issue('access', { sub: 'u', sid: 's' })).token), /iss/);
  });

  it('refuses alg=none', async () => {
    const tokens = await service([{ kid: 'hs', alg: 'HS256', secret: SECRET }]);
    const unsecured = new UnsecuredJWT({ kind: 'access', sid: 's', role: 'admin' }).setSubject('usr_1').setIssuer('zenlive-test').setAudience('zenlive-api').setExpirationTime('1h').setNotBefore('0s').setJti('x').encode();
    // The same, with a kid naming our key, so only the alg stands between it and acceptance.
    const [, payload] = unsecured.split('.');
    const withKid = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'hs', typ: 'zenlive-access+jwt' })).toString('base64url')}.${payload}.`;
    await refused(tokens.verify('access', unsecured), /kid/);
    await refused(tokens.verify('access', withKid), /algorithm|not valid/);
  });

  it('refuses algorithm confusion: an HS256 token signed with an RS256 public key', async () => {
    const rs = await rsKey('rs');
    const tokens = await service([rs]);
    const forged = await new SignJWT({ kind: 'access', sid: 's' })
      .setProtectedHeader({ alg: 'HS256', kid: 'rs', typ: 'zenlive-access+jwt' })
      .setSubject('usr_1').setIssuer('zenlive-test').setAudience('zenlive-api').setIssuedAt().setNotBefore('0s').setExpirationTime('1h').setJti('x')
      .sign(new TextEncoder().encode(rs.publicKey as string));
    await refused(tokens.verify('access', forged), /algorithm|not valid/);
  });

  it('refuses an unknown kid, and a token that is not a JWT', async () => {
    const a = await service([{ kid: 'a', alg: 'HS256', secret: SECRET }]);
    const b = await service([{ kid: 'b', alg: 'HS256', secret: SECRET }]);
    await refused(a.verify('access', (await b.issue('access', { sub: 'u', sid: 's' })).token), /unknown key b/);
    await refused(a.verify('access', 'not.a.jwt'), /JWT/);
  });

  it('key rotation: tokens of the old key verify during the overlap, new tokens use the new key, and the old key gone means refused', async () => {
    const oldKey = await edKey('2026-01');
    const newKey = await edKey('2026-02');
    const before = await service([oldKey]);
    const oldToken = (await before.issue('access', { sub: 'u', sid: 's' })).token;
    const overlap = await service([oldKey, newKey], { signingKid: '2026-02' });
    expect((await overlap.verify('access', oldToken)).kid).toBe('2026-01');
    const newToken = (await overlap.issue('access', { sub: 'u', sid: 's' })).token;
    expect((await overlap.verify('access', newToken)).kid).toBe('2026-02');
    expect(overlap.jwks().keys.map((k) => k.kid)).toEqual(['2026-01', '2026-02']);
    const after = await service([newKey]);
    await refused(after.verify('access', oldToken), /unknown key/);
    expect((await after.verify('access', newToken)).sub).toBe('u');
  });

  it('a verify-only key (public key alone) verifies but cannot be the signer', async () => {
    const full = await edKey('full');
    const publicOnly = { kid: 'full', alg: 'EdDSA', publicKey: full.publicKey as string };
    const token = (await (await service([full])).issue('access', { sub: 'u', sid: 's' })).token;
    const signer = await service([{ kid: 'hs', alg: 'HS256', secret: SECRET }, publicOnly]);
    expect((await signer.verify('access', token)).kid).toBe('full');
    await expect(service([publicOnly])).rejects.toBeInstanceOf(SigningKeyError);
  });

  it('the JWKS document holds public keys only, never HS256 secrets or private parts', async () => {
    const tokens = await service([{ kid: 'hs', alg: 'HS256', secret: SECRET }, await edKey('ed'), await rsKey('rs')]);
    const jwks = tokens.jwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual(['ed', 'rs']);
    for (const k of jwks.keys) {
      expect(k).not.toHaveProperty('d');
      expect(k).not.toHaveProperty('k');
      expect(k.use).toBe('sig');
    }
  });

  it('refuses keys it cannot pin: alg none, a secret on an RS256 key, an HS256 key without a secret', async () => {
    await expect(service([{ kid: 'x', alg: 'none', secret: SECRET }])).rejects.toThrow(/alg "none"/);
    await expect(service([{ kid: 'x', alg: 'RS256', secret: SECRET }])).rejects.toBeInstanceOf(SigningKeyError);
    await expect(service([{ kid: 'x', alg: 'HS256' }])).rejects.toBeInstanceOf(SigningKeyError);
  });
});
