import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PreparedResponse, type HttpExchange } from '../../base/index.js';
import { FrontedServer } from './fronted-server.js';

const PREPARED = new PreparedResponse(200, ['content-type', 'text/plain', 'content-length', '8'], 'prepared');
const BIG = Buffer.alloc(1024 * 1024, 0x61);
let bigServed = 0;

/** A hot-path handler for `/hot/...`: `/hot/later` answers after 50 ms, `/hot/prepared` with one shared prepared response, the rest at once. */
function hotHandler(gone: string[]) {
  return (ex: HttpExchange): boolean => {
    if (!ex.url.startsWith('/hot/')) return false;
    if (ex.url === '/hot/prepared') {
      ex.respondPrepared(PREPARED);
      return true;
    }
    if (ex.url === '/hot/big') {
      bigServed++;
      ex.respond(200, ['content-type', 'application/octet-stream', 'content-length', String(BIG.length)], BIG);
      return true;
    }
    const body = `${ex.method} ${ex.url} range=${ex.header('range') ?? '-'}`;
    const answer = (): void => ex.respond(200, ['content-type', 'text/plain', 'content-length', String(body.length)], ex.method === 'HEAD' ? undefined : body);
    if (ex.url === '/hot/never') {
      ex.onGone(() => gone.push(ex.url));
      return true;
    }
    if (ex.url === '/hot/later') setTimeout(answer, 50);
    else answer();
    return true;
  };
}

let server: FrontedServer | undefined;
const sockets: Socket[] = [];

async function start(gone: string[] = []): Promise<number> {
  server = new FrontedServer(
    (req, res) => {
      const body = `full ${req.method ?? ''} ${req.url ?? ''}`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    },
    { handler: hotHandler(gone), keepAliveTimeoutMs: 5000, headersTimeoutMs: 5000, maxHeadBytes: 1024 },
  );
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Sends raw bytes on one connection and collects everything until `count` responses arrived or it closes. */
async function exchange(port: number, writes: string[], count: number): Promise<{ responses: string[]; closed: boolean; socket: Socket }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let data = '';
  let closed = false;
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (data += d));
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  for (const w of writes) {
    socket.write(w);
    await new Promise((r) => setTimeout(r, 5));
  }
  const deadline = Date.now() + 5000;
  const split = (): string[] => {
    const out: string[] = [];
    let rest = data;
    for (;;) {
      const end = rest.indexOf('\r\n\r\n');
      if (end < 0) break;
      const isHead = /^HEAD /.test(writes.join('').split('\r\n\r\n')[out.length] ?? '');
      const len = isHead ? 0 : Number(/content-length: (\d+)/i.exec(rest.slice(0, end))?.[1] ?? 0);
      if (rest.length < end + 4 + len) break;
      out.push(rest.slice(0, end + 4 + len));
      rest = rest.slice(end + 4 + len);
    }
    return out;
  };
  while (split().length < count && !closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return { responses: split(), closed, socket };
}

async function waitUntil(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

const bodyOf = (response: string): string => response.slice(response.indexOf('\r\n\r\n') + 4);

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('FrontedServer (raw HTTP/1.1 front over node:http)', () => {
  it('answers hot-path requests itself and hands the connection to node:http at the first other request, bytes intact', async () => {
    const port = await start();
    const { responses } = await exchange(port, ['GET /hot/a HTTP/1.1\r\nHost: x\r\nRange: bytes=1-2\r\n\r\n', 'GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /hot/b HTTP/1.1\r\nHost: x\r\n\r\n'], 3);
    expect(responses.map(bodyOf)).toEqual(['GET /hot/a range=bytes=1-2', 'full GET /api/x', 'full GET /hot/b']);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(responses[0]).toMatch(/\r\ndate: /);
  });

  it('answers pipelined requests in order, a late answer holding back the ones behind it', async () => {
    const port = await start();
    const reqs = ['/hot/1', '/hot/later', '/hot/3', '/api/4', '/hot/5'].map((u) => `GET ${u} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
    const { responses } = await exchange(port, [reqs], 5);
    expect(responses.map(bodyOf)).toEqual(['GET /hot/1 range=-', 'GET /hot/later range=-', 'GET /hot/3 range=-', 'full GET /api/4', 'full GET /hot/5']);
  });

  it('sends a prepared response whole to each request: keep-alive GETs, HEAD without its body, and a closing GET', async () => {
    const port = await start();
    const get = 'GET /hot/prepared HTTP/1.1\r\nHost: x\r\n\r\n';
    const { responses } = await exchange(port, [get + get + 'HEAD /hot/prepared HTTP/1.1\r\n\r\n' + 'GET /hot/prepared HTTP/1.1\r\nConnection: close\r\n\r\n'], 4);
    expect(responses.map(bodyOf)).toEqual(['prepared', 'prepared', '', 'prepared']);
    for (const r of responses) expect(r).toMatch(/^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain\r\ncontent-length: 8\r\ndate: /);
    expect(responses[0]).toBe(responses[1]);
    expect(responses[3]).toMatch(/connection: close/);
    expect(responses[0]).not.toMatch(/connection: close/);
  });

  it('stops answering a client that pipelines large responses without reading them, and goes on once it reads', async () => {
    const port = await start();
    bigServed = 0;
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.pause();
    socket.write('GET /hot/big HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(40));
    await new Promise((r) => setTimeout(r, 400));
    // 4 MB of unsent answers at most (plus the one that crossed it), not all 40 MB
    expect(bigServed).toBeGreaterThan(0);
    expect(bigServed).toBeLessThanOrEqual(12);
    let received = 0;
    socket.on('data', (d: Buffer) => (received += d.length));
    socket.resume();
    const deadline = Date.now() + 10_000;
    while (bigServed < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(bigServed).toBe(40);
    while (received < 40 * BIG.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received).toBeGreaterThan(40 * BIG.length);
  });

  it('reassembles a request head split across packets, and sends no body for HEAD', async () => {
    const port = await start();
    const { responses } = await exchange(port, ['GE', 'T /hot/a HT', 'TP/1.1\r\nHost: x\r', '\n\r\nHEAD /hot/b HTTP/1.1\r\n\r\n'], 2);
    expect(bodyOf(responses[0] as string)).toBe('GET /hot/a range=-');
    expect(responses[1]).toMatch(/content-length: 19/);
    expect(bodyOf(responses[1] as string)).toBe('');
  });

  it('closes after answering Connection: close', async () => {
    const port = await start();
    const { responses, closed } = await exchange(port, ['GET /hot/a HTTP/1.1\r\nConnection: close\r\n\r\n'], 1);
    expect(responses[0]).toMatch(/connection: close/);
    expect(closed || (await new Promise<boolean>((r) => sockets.at(-1)?.once('close', () => r(true))))).toBe(true);
  });

  it('answers a malformed request with 400 and closes only that connection', async () => {
    const port = await start();
    const good = exchange(port, ['GET /hot/later HTTP/1.1\r\n\r\n'], 1);
    const bad = await exchange(port, ['GET /hot/a HTTP/1.1\r\nBad Header\r\n\r\n'], 1);
    expect(bad.responses[0]).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(bodyOf(bad.responses[0] as string)).toContain('BAD_REQUEST');
    expect(bad.closed || (await new Promise<boolean>((r) => bad.socket.once('close', () => r(true))))).toBe(true);
    expect(bodyOf((await good).responses[0] as string)).toBe('GET /hot/later range=-');
  });

  it('answers 431 to a head over the limit', async () => {
    const port = await start();
    const { responses } = await exchange(port, [`GET /hot/a HTTP/1.1\r\nX: ${'a'.repeat(2000)}`], 1);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('tells a waiting handler when the client goes away, and closes idle connections on request', async () => {
    const gone: string[] = [];
    const port = await start(gone);
    const waiting = await exchange(port, ['GET /hot/never HTTP/1.1\r\n\r\n'], 0);
    waiting.socket.destroy();
    await waitUntil(() => gone.length > 0);
    expect(gone).toEqual(['/hot/never']);
    const idle = await exchange(port, ['GET /hot/a HTTP/1.1\r\n\r\n'], 1);
    let closed = false;
    idle.socket.on('close', () => (closed = true));
    server?.closeIdleConnections();
    await waitUntil(() => closed);
    expect(closed).toBe(true);
  });
});
