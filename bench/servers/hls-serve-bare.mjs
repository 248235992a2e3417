// The two "bare" reference servers of bench/hls-serve.ts: the same playlist and segment bytes
// ZenLive served, from memory, with the same response headers ZenLive's HLS fast path sends
// (src/protocols/hls/request-handler.ts), under the same URLs. Plain JavaScript run by plain
// `node` (no TypeScript runner in the measured process).
//
//   node bench/servers/hls-serve-bare.mjs --mode http|fastify --root DIR --files live/bench/source/index.m3u8,live/bench/source/X-12.m4s
//
// --mode http:    node:http createServer, one Map lookup on req.url, writeHead + end(buffer).
// --mode fastify: Fastify 5 (the project's dependency), logger off, one GET route with a
//                 parametric path, reply.headers(...).send(buffer).
// Listens on a free port of 127.0.0.1 and prints `{"http_port":..,"pid":..}`; exits on SIGTERM.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { mode: { type: 'string', default: 'http' }, root: { type: 'string' }, files: { type: 'string' } } });
if (values.root === undefined || values.files === undefined) throw new Error('--root and --files are required');

// The headers ZenLive's fast path sends for each kind of file (content-length added below).
function headersFor(path) {
  if (path.endsWith('.m3u8')) {
    return { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=1', 'content-type': 'application/vnd.apple.mpegurl' };
  }
  const name = path.slice(path.lastIndexOf('/') + 1, path.lastIndexOf('.'));
  return {
    'access-control-allow-origin': '*',
    etag: `"${name}"`,
    'cache-control': 'public, max-age=31536000, immutable',
    'accept-ranges': 'bytes',
    'content-type': 'video/mp4',
  };
}

/**
 * URL path → { body, headers (with content-length, for node:http), typed (without it: Fastify
 * sets content-length itself) }, read once at start.
 */
const files = new Map();
for (const rel of values.files.split(',')) {
  const body = readFileSync(join(values.root, rel));
  const typed = headersFor(rel);
  files.set(`/${rel}`, { body, headers: { ...typed, 'content-length': body.length }, typed });
}

let server;
if (values.mode === 'http') {
  server = createServer((req, res) => {
    const f = files.get(req.url);
    if (f === undefined) {
      res.writeHead(404, { 'content-length': 0 });
      res.end();
      return;
    }
    res.writeHead(200, f.headers);
    res.end(f.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
} else if (values.mode === 'fastify') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.get('/live/:id/:rendition/:file', (req, reply) => {
    const f = files.get(req.url);
    if (f === undefined) return reply.code(404).send();
    return reply.headers(f.typed).send(f.body);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  server = app.server;
} else {
  throw new Error(`unknown --mode ${values.mode}`);
}

const address = server.address();
process.stdout.write(`${JSON.stringify({ http_port: address.port, pid: process.pid, mode: values.mode })}\n`);

function stop() {
  setTimeout(() => process.exit(0), 1000).unref();
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
