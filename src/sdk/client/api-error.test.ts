import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiErrorFrom, ZenLiveApiError } from './api-error.js';

const answer = (status: number, body: string): Response => new Response(body, { status, headers: { 'content-type': 'application/json' } });

describe('apiErrorFrom', () => {
  it('reads code, message and details of the API error shape', async () => {
    const err = await apiErrorFrom(answer(400, JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: 'body: title: too short', details: { field: 'title', issues: [] } } })));
    expect(err).toBeInstanceOf(ZenLiveApiError);
    expect([err.status, err.code, err.message, err.field]).toEqual([400, 'VALIDATION_FAILED', 'body: title: too short', 'title']);
  });

  it('names a body that is not the API shape API_BAD_RESPONSE, keeping the status', async () => {
    const err = await apiErrorFrom(answer(502, '<html>Bad Gateway</html>'));
    expect([err.status, err.code, err.details['body']]).toEqual([502, 'API_BAD_RESPONSE', '<html>Bad Gateway</html>']);
    expect((await apiErrorFrom(answer(503, JSON.stringify({ status: 'not-ready' })))).code).toBe('API_BAD_RESPONSE');
  });

  it('any error body the API writes comes back as it was sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 400, max: 599 }),
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.dictionary(fc.string(), fc.jsonValue()),
        async (status, code, message, details) => {
          const err = await apiErrorFrom(answer(status, JSON.stringify({ error: { code, message, details } })));
          expect([err.status, err.code, err.message]).toEqual([status, code, message]);
          expect(err.details).toEqual(JSON.parse(JSON.stringify(details)));
        },
      ),
    );
  });

  it('any body at all gives a ZenLiveApiError, never another exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 400, max: 599 }), fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ error: v }))), async (status, body) => {
        const err = await apiErrorFrom(answer(status, body));
        expect(err).toBeInstanceOf(ZenLiveApiError);
        expect(err.status).toBe(status);
        expect(typeof err.code).toBe('string');
      }),
    );
  });
});
