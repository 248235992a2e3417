// The ZenLive process a benchmark measures: the compiled build (dist/, `npm run build`) started
// on free ports of 127.0.0.1. Plain JavaScript run by plain `node`, because a TypeScript runner
// (vite-node) would load its own dev server into this process and inflate the RSS we report.
//
//   node bench/servers/zenlive-server.mjs --log bench/.work/zenlive.log
//
// Prints one JSON line `{"rtmp_port":..,"http_port":..,"pid":..}` once listening; stops
// gracefully on SIGTERM/SIGINT (so `node --cpu-prof` can write its profile).
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createZenLive } from '../../dist/index.js';

const { values } = parseArgs({ options: { log: { type: 'string' }, level: { type: 'string', default: 'warn' } } });
const logger = pino({ level: values.level }, values.log === undefined ? pino.destination(2) : pino.destination({ dest: values.log, sync: false, mkdir: true }));

const live = await createZenLive(
  {
    server: { host: '127.0.0.1', http_port: 0 },
    streaming: { rtmp: { port: 0 }, enable_hls: false },
    chat: { enabled: false },
    logging: { level: 'warn' },
  },
  { logger },
);
await live.start();
process.stdout.write(`${JSON.stringify({ rtmp_port: live.rtmpPort, http_port: live.httpPort, pid: process.pid })}\n`);

// What only the server knows (viewers it still holds, frames it dropped for slow viewers), every
// 2 s on stdout for the orchestrator.
const report = setInterval(() => {
  const streams = live.streams.list().map((s) => ({ id: s.id, viewers: s.viewers.total, dropped_frames: s.droppedFrames, bitrate_kbps: s.bitrateKbps }));
  process.stdout.write(`${JSON.stringify({ event: 'state', streams })}\n`);
}, 2000);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(report);
  const force = setTimeout(() => process.exit(0), 3000);
  await live.stop().catch(() => undefined);
  clearTimeout(force);
  logger.flush();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
