import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, classifyStatus, parseRetryAfter } from './retry-policy.js';

describe('retry policy', () => {
  it('2xx is delivered; 408, 429 and 5xx retry; other statuses are final', () => {
    expect([200, 201, 204, 299].map(classifyStatus)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect([408, 429, 500, 502, 503, 504, 599].map(classifyStatus)).toEqual(Array(7).fill('retry'));
    expect([301, 302, 400, 401, 403, 404, 410, 413, 422].map(classifyStatus)).toEqual(Array(9).fill('final'));
  });

  it('backoff is full jitter under an exponential ceiling capped at the maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 600_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, initial, max, r) => {
        const delay = backoffDelayMs(attempt, initial, max, () => r);
        const ceiling = Math.min(max, initial * 2 ** (attempt - 1));
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.max(ceiling, 1));
        expect(Number.isInteger(delay)).toBe(true);
      }),
    );
    expect(backoffDelayMs(1, 100, 10_000, () => 0.999)).toBe(99);
    expect(backoffDelayMs(4, 100, 10_000, () => 0.5)).toBe(400);
    expect(backoffDelayMs(30, 100, 10_000, () => 0.5)).toBe(5000);
  });

  it('Retry-After in seconds or as an HTTP-date becomes a wait in ms', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('2026-01-01T12:00:30Z', now)).toBeUndefined();
  });

  it('any header value either parses to a finite non-negative wait or to nothing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.integer({ min: 0, max: 4_102_444_800_000 }), (value, now) => {
        const wait = parseRetryAfter(value, now);
        if (wait !== undefined) {
          expect(Number.isFinite(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('delay-seconds and IMF-fixdate round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), 0)).toBe(seconds * 1000);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), fc.integer({ min: 0, max: 4_102_444_800 }), (atS, nowS) => {
        const header = new Date(atS * 1000).toUTCString();
        expect(parseRetryAfter(header, nowS * 1000)).toBe(Math.max(0, (atS - nowS) * 1000));
      }),
    );
  });
});
