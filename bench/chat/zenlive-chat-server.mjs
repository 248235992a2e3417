// The ZenLive chat a benchmark measures: Fastify + @fastify/websocket + ChatService from a
// compiled build (bench/.work/chat/dist), on a free port of 127.0.0.1, memory shared state.
// Plain JavaScript run by plain `node`, so no TypeScript runner inflates the RSS we report.
//
//   node bench/chat/zenlive-chat-server.mjs --dist bench/.work/chat/dist [--tick-ms 20] [--max-tick-ms 100]
//
// Token `poster` writes (as a publisher, no rate limit in practice); anyone may read anonymously.
// Prints one JSON line `{"port":..,"pid":..}` once listening; stops on SIGTERM/SIGINT.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import { pino } from 'pino';

const { values } = parseArgs({ options: { dist: { type: 'string' }, 'tick-ms': { type: 'string', default: '20' }, 'max-tick-ms': { type: 'string', default: '100' }, 'buffer-bytes': { type: 'string', default: String(1024 * 1024) } } });
const dist = resolve(values.dist ?? 'bench/.work/chat/dist');
const chat = await import(pathToFileURL(resolve(dist, 'chat/index.js')).href);
const state = await import(pathToFileURL(resolve(dist, 'state/index.js')).href);

const logger = pino({ level: 'warn' }, pino.destination(2));
const app = Fastify({ logger: false });
await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
const shared = state.createMemoryState();
const service = new chat.ChatService({
  nodeId: 'bench',
  state: shared,
  logger,
  authenticate: async (token) => (token === 'poster' ? { userId: 'poster', name: 'Poster', role: 'publisher' } : null),
  rateLimitPerSecond: 100_000,
  historySize: 0,
  tickMs: Number(values['tick-ms']),
  maxTickMs: Number(values['max-tick-ms']),
  slowClientBufferBytes: Number(values['buffer-bytes']),
  presenceIntervalMs: 1000,
  maxRoomsPerConnection: 4,
});
await service.start();
chat.registerChatRoutes(app, service);
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port: app.server.address().port, pid: process.pid })}\n`);

const stop = async () => {
  process.stderr.write(`zenlive-chat: ${JSON.stringify(service.stats)}\n`);
  await service.close();
  await app.close();
  await shared.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
