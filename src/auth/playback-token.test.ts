import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPlayAuthorizer } from './play-authorizer.js';
import { PlaybackTokenSigner } from './playback-token.js';
import { StreamCatalog } from './stream-catalog.js';

const NOW = 1_800_000_000;
const signer = new PlaybackTokenSigner('playback-secret-for-tests-0123456789abcdef');

describe('PlaybackTokenSigner', () => {
  it('accepts its own token for the stream, before expiry', () => {
    const t = signer.sign({ streamId: 'st_1', exp: NOW + 60 });
    expect(signer.check(t, 'st_1', '127.0.0.1', NOW)).toEqual({ ok: true });
  });

  it('refuses expired, other-stream, other-IP, tampered and foreign tokens with distinct reasons', () => {
    expect(signer.check(signer.sign({ streamId: 'st_1', exp: NOW }), 'st_1', '1.2.3.4', NOW)).toEqual({ ok: false, reason: 'expired' });
    expect(signer.check(signer.sign({ streamId: 'st_1', exp: NOW + 60 }), 'st_2', '1.2.3.4', NOW)).toEqual({ ok: false, reason: 'wrong-stream' });
    const bound = signer.sign({ streamId: 'st_1', exp: NOW + 60, ip: '1.2.3.4' });
    expect(signer.check(bound, 'st_1', '1.2.3.5', NOW)).toEqual({ ok: false, reason: 'wrong-ip' });
    expect(signer.check(bound, 'st_1', '::ffff:1.2.3.4', NOW)).toEqual({ ok: true });
    const [body, mac] = bound.split('.') as [string, string];
    const longer = Buffer.from(JSON.stringify({ s: 'st_1', e: NOW + 99999, i: '1.2.3.4' })).toString('base64url');
    expect(signer.check(`${longer}.${mac}`, 'st_1', '1.2.3.4', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    const other = new PlaybackTokenSigner('another-secret-another-secret-another');
    expect(signer.check(other.sign({ streamId: 'st_1', exp: NOW + 60 }), 'st_1', '1.2.3.4', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(signer.check(body, 'st_1', '1.2.3.4', NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('property: any string is either accepted or refused with a reason, never throws', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ maxLength: 40 }), (token, stream) => {
        const r = signer.check(token, stream, '127.0.0.1', NOW);
        expect(r.ok).toBe(false);
      }),
    );
  });

  it('property: flipping any character of a valid token makes it refused', () => {
    const token = signer.sign({ streamId: 'st_1', exp: NOW + 600, ip: '10.1.2.3' });
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCabc019-_.='.split('')), (at, ch) => {
        if (token[at] === ch) return;
        const mutated = token.slice(0, at) + ch + token.slice(at + 1);
        // base64url's last character can carry padding bits that decode to the same bytes.
        const r = signer.check(mutated, 'st_1', '10.1.2.3', NOW);
        if (r.ok) expect(Buffer.from(mutated.split('.')[1] ?? '', 'base64url')).toEqual(Buffer.from(token.split('.')[1] as string, 'base64url'));
      }),
    );
  });
});

describe('the play authorizer', () => {
  const catalog = new StreamCatalog();
  catalog.create({ id: 'pub', title: 'public', private: false, ownerId: 'u' });
  catalog.create({ id: 'priv', title: 'private', private: true, ownerId: 'u' });
  const authorizePlay = createPlayAuthorizer({ catalog, signer, allowAnonymousViewers: true });
  const req = (streamId: string, token?: string) => ({ streamId, protocol: 'hls' as const, remoteAddress: '127.0.0.1', token });

  it('public and unmanaged streams play freely; a private one needs a token for it (401 without, 403 for another stream)', () => {
    expect(authorizePlay(req('pub'))).toEqual({ allow: true });
    expect(authorizePlay(req('ad-hoc'))).toEqual({ allow: true });
    expect(authorizePlay(req('priv'))).toMatchObject({ allow: false, status: 401 });
    expect(authorizePlay(req('priv', 'garbage'))).toMatchObject({ allow: false, status: 401 });
    const exp = Math.floor(Date.now() / 1000) + 60;
    expect(authorizePlay(req('priv', signer.sign({ streamId: 'priv', exp })))).toEqual({ allow: true });
    expect(authorizePlay(req('priv', signer.sign({ streamId: 'pub', exp })))).toMatchObject({ allow: false, status: 403 });
    expect(authorizePlay(req('priv', signer.sign({ streamId: 'priv', exp: exp - 120 })))).toMatchObject({ allow: false, status: 401, reason: 'playback token expired' });
  });

  it('without anonymous viewers every stream needs a token', () => {
    const strict = createPlayAuthorizer({ catalog, signer, allowAnonymousViewers: false });
    expect(strict(req('pub'))).toMatchObject({ allow: false, status: 401 });
    expect(strict(req('pub', signer.sign({ streamId: 'pub', exp: Math.floor(Date.now() / 1000) + 60 })))).toEqual({ allow: true });
  });
});
