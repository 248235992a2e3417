/**
 * Chat fan-out: N WebSocket clients in one room, one poster at R messages/s; ZenLive's chat
 * against Socket.IO (npm) doing the same broadcast, same load generator, same run.
 *
 *   npx vite-node bench/chat-fanout.ts                           # 1000 and 10000 clients, 100 msg/s
 *   npx vite-node bench/chat-fanout.ts -- --clients 200 --window 10   # smoke
 *
 * Each server runs alone on core 0 (`taskset -c 0`), the generator (bench/chat/loadgen.mjs: a Node
 * poster and the native reader, bench/chat/native, compiled with gcc at start) on core 1. Server
 * CPU (utime+stime from /proc) and RSS are read at the edges of the window the generator
 * announces. Prints one JSON line and writes bench/results/chat-fanout-DATE.json.
 */
import { join } from 'node:path';
import { buildChatReader } from './chat/native/index.js';
import { treeCpuMs, treeRssMb } from './lib/cpu.js';
import { parseCli } from './lib/cli.js';
import { ROOT, WORK } from './lib/paths.js';
import { run, start, waitJson, type Child } from './lib/procs.js';
import { machineInfo, publishResult, round } from './lib/results.js';

const o = parseCli({
  clients: { type: 'string', default: '1000,10000' },
  servers: { type: 'string', default: 'zenlive,socketio' },
  rate: { type: 'string', default: '100' },
  warmup: { type: 'string', default: '3' },
  window: { type: 'string', default: '20' },
  // Readers between connect and joined at once, and new connections per second (the reader's).
  concurrency: { type: 'string', default: '100' },
  'connect-rate': { type: 'string', default: '2000' },
  'tick-ms': { type: 'string', default: '20' },
  'max-tick-ms': { type: 'string', default: '100' },
  'buffer-bytes': { type: 'string', default: String(1024 * 1024) },
});

const DIST = join(WORK, 'chat', 'dist');
const log = (m: string): void => void process.stderr.write(`chat-fanout: ${m}\n`);
const READER = buildChatReader(join(WORK, 'chat'));

type Row = Record<string, unknown>;

async function startServer(kind: string): Promise<{ child: Child; port: number; pid: number }> {
  const script = kind === 'zenlive' ? join(ROOT, 'bench', 'chat', 'zenlive-chat-server.mjs') : join(ROOT, 'bench', 'chat', 'socketio-chat-server.mjs');
  const args = kind === 'zenlive' ? ['--max-semi-space-size=1', script, '--dist', DIST, '--tick-ms', o['tick-ms'], '--max-tick-ms', o['max-tick-ms'], '--buffer-bytes', o['buffer-bytes']] : [script];
  const child = start(kind, process.execPath, args, { core: 0, pipeStdout: true, inheritStderr: true, cwd: ROOT });
  const ready = await waitJson<{ port: number; pid: number }>(child, 20_000, (x) => typeof x['port'] === 'number');
  return { child, port: ready.port, pid: ready.pid };
}

async function cell(kind: string, clients: number): Promise<Row> {
  const server = await startServer(kind);
  try {
    await new Promise((r) => setTimeout(r, 500));
    const rssIdle = treeRssMb(server.pid);
    const gen = start('loadgen', process.execPath, [
      join(ROOT, 'bench', 'chat', 'loadgen.mjs'),
      '--server', kind, '--port', String(server.port), '--clients', String(clients), '--rate', o.rate,
      '--warmup', o.warmup, '--window', o.window, '--reader', READER, '--reader-cpu', '1',
      '--concurrency', o.concurrency, '--connect-rate', o['connect-rate'],
    ], { core: 1, pipeStdout: true, inheritStderr: true, cwd: ROOT });
    let cpu0 = 0;
    let cpu1 = 0;
    let rssPeak = 0;
    let rssEnd = 0;
    const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, treeRssMb(server.pid))), 500);
    gen.lines.on('json', (line) => {
      if (line['event'] === 'window-start') cpu0 = treeCpuMs(server.pid);
      if (line['event'] === 'window-end') {
        cpu1 = treeCpuMs(server.pid);
        rssEnd = treeRssMb(server.pid);
      }
    });
    const budget = 120_000 + clients * 20 + (Number(o.warmup) + Number(o.window)) * 1000;
    const result = await waitJson<Row>(gen, budget, (x) => x['event'] === 'result');
    clearInterval(rssTimer);
    await Promise.race([gen.exited, new Promise((r) => setTimeout(r, 3000))]);
    await gen.stop(2000);
    const windowS = Number(o.window);
    const cpuMs = cpu1 - cpu0;
    const deliveredPerS = Number(result['delivered_per_s_in_window']);
    const { event: _e, ...rest } = result;
    return {
      ...rest,
      server_cpu_percent: round((cpuMs / (windowS * 1000)) * 100, 1),
      deliveries_per_cpu_second: cpuMs > 0 ? Math.round((deliveredPerS * windowS) / (cpuMs / 1000)) : null,
      server_rss_idle_mb: round(rssIdle, 1),
      server_rss_end_mb: round(rssEnd, 1),
      server_rss_peak_mb: round(Math.max(rssPeak, rssEnd), 1),
    };
  } finally {
    await server.child.stop(3000);
  }
}

log('building ZenLive into bench/.work/chat/dist');
// Others' half-finished areas may not type-check; the chat and state files are what we need.
await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', DIST, '--declaration', 'false', '--sourceMap', 'false'], { cwd: ROOT }).catch((err: unknown) => log(`tsc reported errors (continuing if chat built): ${String(err).slice(0, 300)}`));

const rows: Row[] = [];
for (const n of o.clients.split(',').map(Number)) {
  for (const kind of o.servers.split(',')) {
    log(`${kind}: ${n} clients, ${o.rate} msg/s, ${o.window} s window`);
    const row = await cell(kind, n);
    log(JSON.stringify(row));
    rows.push(row);
  }
}
publishResult('chat-fanout', { date: new Date().toISOString(), machine: machineInfo(), settings: { rate: Number(o.rate), window_s: Number(o.window), warmup_s: Number(o.warmup), tick_ms: Number(o['tick-ms']), max_tick_ms: Number(o['max-tick-ms']), reader: 'native epoll (bench/chat/native), latency of every message', connect_rate: Number(o['connect-rate']) }, rows });
