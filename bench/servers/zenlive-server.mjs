// The ZenLive process a benchmark measures: a compiled build (dist/ by default, or `--dist`) started
// on free ports of 127.0.0.1. Plain JavaScript run by plain `node`, because a TypeScript runner
// (vite-node) would load its own dev server into this process and inflate the RSS we report.
//
//   node bench/servers/zenlive-server.mjs --log bench/.work/zenlive.log
//       [--dist DIR] [--config '{"streaming":{"hub":{...}}}']
//
// `--dist` loads another build (e.g. a patched one under bench/.work); `--config` is merged
// over the bench's config, to measure a setting.
// Prints one JSON line `{"rtmp_port":..,"http_port":..,"pid":..}` once listening; stops
// gracefully on SIGTERM/SIGINT. With `--profile FILE`, SIGUSR2 starts the V8 CPU profiler and a
// second SIGUSR2 writes FILE (.cpuprofile): the load generator sends them at the edges of its
// measurement window, so the profile holds steady-state fan-out only, not start-up or connects.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { URL, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';

const { values } = parseArgs({
  options: { log: { type: 'string' }, level: { type: 'string', default: 'warn' }, profile: { type: 'string' }, dist: { type: 'string' }, config: { type: 'string' } },
});
const distIndex = values.dist === undefined ? new URL('../../dist/index.js', import.meta.url) : pathToFileURL(resolve(values.dist, 'index.js'));
const { createZenLive } = await import(distIndex.href);

/** `over` merged into `base`, objects key by key, anything else replaced. */
function merge(base, over) {
  if (typeof base !== 'object' || base === null || typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}
const logger = pino({ level: values.level }, values.log === undefined ? pino.destination(2) : pino.destination({ dest: values.log, sync: false, mkdir: true }));

const config = {
  server: { host: '127.0.0.1', http_port: 0 },
  streaming: { rtmp: { port: 0 }, enable_hls: false },
  chat: { enabled: false },
  logging: { level: 'warn' },
};
const live = await createZenLive(values.config === undefined ? config : merge(config, JSON.parse(values.config)), { logger });
await live.start();
process.stdout.write(`${JSON.stringify({ rtmp_port: live.rtmpPort, http_port: live.httpPort, pid: process.pid })}\n`);

// What only the server knows (viewers it still holds, frames it dropped for slow viewers, where
// its memory is), every 2 s on stdout for the orchestrator.
const report = setInterval(() => {
  const streams = live.streams.list().map((s) => ({ id: s.id, viewers: s.viewers.total, dropped_frames: s.droppedFrames, bitrate_kbps: s.bitrateKbps }));
  const m = process.memoryUsage();
  const memory_mb = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round((v / 1048576) * 10) / 10]));
  process.stdout.write(`${JSON.stringify({ event: 'state', streams, memory_mb })}\n`);
}, 2000);

if (values.profile !== undefined) {
  const file = values.profile;
  const session = new Session();
  session.connect();
  let profiling = false;
  process.on('SIGUSR2', async () => {
    if (!profiling) {
      profiling = true;
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      return;
    }
    profiling = false;
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
  });
}

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
