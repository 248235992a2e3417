import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a playback token allows: one stream, until `exp` (epoch seconds), optionally from one IP. */
export interface PlaybackGrant {
  streamId: string;
  exp: number;
  ip?: string;
}

/** Why a token was refused: 401-like (bad/expired) or 403-like (valid but not for this). */
export type PlaybackCheck = { ok: true } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'wrong-stream' | 'wrong-ip' };

/**
 * Signed playback tokens for private streams: `base64url(json).base64url(HMAC-SHA256)`. Verified
 * synchronously with no I/O (it runs on every HLS request), the MAC compared in constant time.
 */
export class PlaybackTokenSigner {
  private readonly secret: Buffer;

  constructor(secret: string | Buffer) {
    this.secret = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  }

  sign(grant: PlaybackGrant): string {
    const body = Buffer.from(JSON.stringify({ s: grant.streamId, e: grant.exp, ...(grant.ip !== undefined ? { i: grant.ip } : {}) })).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  check(token: string, streamId: string, remoteAddress: string, nowSeconds = Math.floor(Date.now() / 1000)): PlaybackCheck {
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
    let claims: { s?: unknown; e?: unknown; i?: unknown };
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof claims.s !== 'string' || typeof claims.e !== 'number') return { ok: false, reason: 'malformed' };
    if (claims.e <= nowSeconds) return { ok: false, reason: 'expired' };
    if (claims.s !== streamId) return { ok: false, reason: 'wrong-stream' };
    if (typeof claims.i === 'string' && normaliseIp(claims.i) !== normaliseIp(remoteAddress)) return { ok: false, reason: 'wrong-ip' };
    return { ok: true };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(body).digest();
  }
}

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) and `1.2.3.4` are the same viewer. */
function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
