import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHeadError, parseRequestHead, type RequestHead } from './request-head.js';

const parse = (text: string, max = 16 * 1024) => parseRequestHead(Buffer.from(text, 'latin1'), 0, max);
const head = (text: string): RequestHead => {
  const r = parse(text);
  if (r === undefined || isHeadError(r)) throw new Error(`not a head: ${JSON.stringify(r)}`);
  return r;
};

describe('parseRequestHead', () => {
  it('reads the request line, the hot-path headers and where the next request starts', () => {
    const text = 'GET /live/a/index.m3u8?_HLS_msn=3 HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\nIf-None-Match: "e"\r\nUser-Agent: hls.js\r\nAuthorization: Bearer t\r\nOrigin: http://o\r\n\r\nGET /';
    const h = head(text);
    expect(h).toMatchObject({ method: 'GET', url: '/live/a/index.m3u8?_HLS_msn=3', keepAlive: true, needsFullServer: false, range: 'bytes=0-9', ifNoneMatch: '"e"', userAgent: 'hls.js', authorization: 'Bearer t', origin: 'http://o' });
    expect(text.slice(h.length)).toBe('GET /');
  });

  it('waits for the blank line, and refuses a head over the limit', () => {
    expect(parse('GET / HTTP/1.1\r\nHost: x\r\n')).toBeUndefined();
    expect(parse(`GET / HTTP/1.1\r\nX: ${'a'.repeat(200)}`, 100)).toMatchObject({ error: 'head-too-large' });
  });

  it('leaves bodies, upgrades, Expect and HTTP/1.0 to the full server', () => {
    expect(head('POST /api HTTP/1.1\r\nContent-Length: 5\r\n\r\n').needsFullServer).toBe(true);
    expect(head('GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n').needsFullServer).toBe(false);
    expect(head('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n').needsFullServer).toBe(true);
    expect(head('GET /live/a.flv HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n').needsFullServer).toBe(true);
    expect(head('PUT / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n').needsFullServer).toBe(true);
    expect(head('GET / HTTP/1.0\r\n\r\n').needsFullServer).toBe(true);
    expect(head('GET http://host/ HTTP/1.1\r\n\r\n').needsFullServer).toBe(true);
  });

  it('notes Connection: close', () => {
    expect(head('GET / HTTP/1.1\r\nConnection: Close\r\n\r\n').keepAlive).toBe(false);
  });

  it('refuses malformed heads', () => {
    for (const bad of ['GET  / HTTP/1.1\r\n\r\n', 'GET / HTTP/1.1 x\r\n\r\n', 'get / HTTP/1.1\r\n\r\n', 'GET / HTTP/2\r\n\r\n', 'GET / HTTP/1.1\r\nNoColon\r\n\r\n', 'GET / HTTP/1.1\r\nX : y\r\n\r\n', 'GET / HTTP/1.1\r\nX: y\r\n folded\r\n\r\n', 'GET / HTTP/1.1\r\n: y\r\n\r\n']) {
      expect(parse(bad), bad).toMatchObject({ error: 'bad-request' });
    }
  });

  it('never throws on arbitrary bytes, and any answer it gives lies within the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, terminate) => {
        const buf = Buffer.concat([Buffer.from(bytes), terminate ? Buffer.from('\r\n\r\n') : Buffer.alloc(0)]);
        const r = parseRequestHead(buf, 0, 512);
        if (r !== undefined && !isHeadError(r)) expect(r.length).toBeLessThanOrEqual(buf.length);
      }),
    );
  });

  it('reads back any well-formed head it is given', () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
    const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);
    fc.assert(
      fc.property(fc.constantFrom('GET', 'HEAD', 'OPTIONS'), fc.stringMatching(/^\/[\x21-\x7e]{0,60}$/), fc.array(fc.tuple(token, value), { maxLength: 8 }), value, (method, url, headers, range) => {
        const lines = headers.filter(([n]) => !/^(range|connection|content-length|transfer-encoding|upgrade|expect)$/i.test(n)).map(([n, v]) => `${n}: ${v}`);
        const text = `${method} ${url} HTTP/1.1\r\n${[...lines, `range: ${range}`].join('\r\n')}\r\n\r\n`;
        const h = head(text);
        expect(h.method).toBe(method);
        expect(h.url).toBe(url);
        expect(h.range).toBe(range);
        expect(h.needsFullServer).toBe(false);
        expect(h.length).toBe(text.length);
      }),
    );
  });
});
