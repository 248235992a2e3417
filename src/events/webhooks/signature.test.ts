import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './signature.js';

const secret = 'whsec_test-secret-0123456789abcdef';
const now = 1_700_000_000_000;
const ts = Math.floor(now / 1000);

function headers(id: string, timestamp: number | string, signature: string): Record<string, string> {
  // Node lowercases incoming header names
  return { [WEBHOOK_ID_HEADER.toLowerCase()]: id, [WEBHOOK_TIMESTAMP_HEADER.toLowerCase()]: String(timestamp), [WEBHOOK_SIGNATURE_HEADER.toLowerCase()]: signature };
}

describe('webhook signature', () => {
  it('is v1= and the hex HMAC-SHA256 of id.timestamp.body', () => {
    // fixed vector: computed independently with `printf 'evt_1.1700000000.{}' | openssl dgst -sha256 -hmac KEY`
    expect(signWebhook('key', 'evt_1', 1_700_000_000, '{}')).toBe('v1=aa5c52f91c79f417706ccd0356704154cd8466bed5d43b8cf3268d953fa26626');
  });

  it('a genuine delivery verifies from Node-style and fetch-style headers', () => {
    const body = '{"id":"evt_1","type":"streamStarted"}';
    const sig = signWebhook(secret, 'evt_1', ts, body);
    expect(verifyWebhookSignature({ secret, headers: headers('evt_1', ts, sig), body, nowMs: now })).toEqual({ valid: true, id: 'evt_1', timestamp: ts });
    const fetchHeaders = new Headers(headers('evt_1', ts, sig));
    expect(verifyWebhookSignature({ secret, headers: fetchHeaders, body: Buffer.from(body), nowMs: now }).valid).toBe(true);
  });

  it('one matching value among several v1= values is enough (secret rotation)', () => {
    const body = 'x';
    const other = signWebhook('another-secret', 'evt_2', ts, body);
    const mine = signWebhook(secret, 'evt_2', ts, body);
    expect(verifyWebhookSignature({ secret, headers: headers('evt_2', ts, `${other} ${mine}`), body, nowMs: now }).valid).toBe(true);
  });

  it('a timestamp outside the tolerance window is refused even with a valid signature', () => {
    const old = ts - 301;
    const sig = signWebhook(secret, 'evt_3', old, 'b');
    expect(verifyWebhookSignature({ secret, headers: headers('evt_3', old, sig), body: 'b', nowMs: now })).toEqual({ valid: false, reason: 'outside-tolerance' });
    expect(verifyWebhookSignature({ secret, headers: headers('evt_3', old, sig), body: 'b', nowMs: now, toleranceSeconds: 400 }).valid).toBe(true);
  });

  it('missing or malformed headers are refused with their reason', () => {
    const sig = signWebhook(secret, 'evt_4', ts, 'b');
    expect(verifyWebhookSignature({ secret, headers: {}, body: 'b', nowMs: now })).toEqual({ valid: false, reason: 'missing-header' });
    expect(verifyWebhookSignature({ secret, headers: headers('evt_4', '12.5', sig), body: 'b', nowMs: now })).toEqual({ valid: false, reason: 'malformed' });
    expect(verifyWebhookSignature({ secret, headers: headers('evt_4', ts, 'sha256=abc'), body: 'b', nowMs: now })).toEqual({ valid: false, reason: 'malformed' });
    expect(verifyWebhookSignature({ secret, headers: headers('evt_4', ts, 'v1=zz'), body: 'b', nowMs: now })).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('any change of id, timestamp or body fails verification; the original always passes', () => {
    const id = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\r\n]/.test(s));
    fc.assert(
      fc.property(id, fc.integer({ min: ts - 200, max: ts + 200 }), fc.string({ maxLength: 300 }), fc.nat({ max: 2 }), fc.string({ minLength: 1, maxLength: 5 }), (evtId, stamp, body, which, change) => {
        const sig = signWebhook(secret, evtId, stamp, body);
        expect(verifyWebhookSignature({ secret, headers: headers(evtId, stamp, sig), body, nowMs: now }).valid).toBe(true);
        const tampered =
          which === 0
            ? { id: evtId + change, stamp, body }
            : which === 1
              ? { id: evtId, stamp: stamp + 1 + (change.length % 50), body }
              : { id: evtId, stamp, body: body + change };
        const result = verifyWebhookSignature({ secret, headers: headers(tampered.id, tampered.stamp, sig), body: tampered.body, nowMs: now });
        expect(result).toEqual({ valid: false, reason: 'mismatch' });
      }),
      { numRuns: 500 },
    );
  });

  it('a flipped bit anywhere in the body fails verification', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (bytes, at, bit) => {
        const body = Buffer.from(bytes);
        const sig = signWebhook(secret, 'evt_b', ts, body);
        const flipped = Buffer.from(body);
        const i = at % flipped.length;
        flipped[i] = (flipped[i] ?? 0) ^ (1 << bit);
        expect(verifyWebhookSignature({ secret, headers: headers('evt_b', ts, sig), body: flipped, nowMs: now }).valid).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('a signature made with another secret never verifies', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.string({ maxLength: 100 }), (otherSecret, body) => {
        fc.pre(otherSecret !== secret);
        const sig = signWebhook(otherSecret, 'evt_s', ts, body);
        expect(verifyWebhookSignature({ secret, headers: headers('evt_s', ts, sig), body, nowMs: now }).valid).toBe(false);
      }),
    );
  });
});
