// The chat load generator (pinned to its own core by bench/chat-fanout.ts): one poster in Node
// posting `rate` messages per second into one room, and N readers in the native reader
// (bench/chat/native, one epoll thread in C, a child of this process on the same core). Same
// generator for both servers: only the poster's client library (raw `ws` for ZenLive's JSON
// frames, socket.io-client for Socket.IO) and the reader's protocol differ.
//
// Every reader counts every message and measures the latency of each one posted inside the
// window (receive CLOCK_REALTIME minus the poster's Date.now() stamp, the same clock; 1 ms
// histogram), and checks each client's order. Node readers cost the generator more than a core
// at 10,000 clients (117 %), so the latency measured was the generator's.
//
// Prints JSON lines on stdout: {"event":"window-start"}, {"event":"window-end"}, then
// {"event":"result",...}; progress on stderr.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';

const { values: a } = parseArgs({
  options: {
    server: { type: 'string' },
    port: { type: 'string' },
    reader: { type: 'string' },
    'reader-cpu': { type: 'string' },
    clients: { type: 'string', default: '200' },
    rate: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '3' },
    window: { type: 'string', default: '10' },
    grace: { type: 'string', default: '3' },
    // Readers between connect and joined at once, and new connections per second: a burst of
    // 10,000 SYNs overflows the listen backlog and the retries take seconds.
    concurrency: { type: 'string', default: '100' },
    'connect-rate': { type: 'string', default: '2000' },
  },
});
if (a.reader === undefined) throw new Error('--reader PATH (the compiled bench/chat/native reader) is required');
const server = a.server;
const port = Number(a.port);
const N = Number(a.clients);
const rate = Number(a.rate);
const warmupS = Number(a.warmup);
const windowS = Number(a.window);
const ROOM = 'bench';
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const progress = (m) => process.stderr.write(`loadgen[${server} n=${N}]: ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const totalSeconds = warmupS + windowS;
const totalMessages = Math.round(rate * totalSeconds);
const windowFirstSeq = Math.round(rate * warmupS);
const windowLastSeq = totalMessages - 1;

/** The native reader as a child: its JSON lines by event, and a way to ask for a snapshot. */
function startReader() {
  const args = [
    '--port', String(port), '--protocol', server, '--clients', String(N),
    '--path', server === 'zenlive' ? `/ws/chat?room=${ROOM}` : `/socket.io/?EIO=4&transport=websocket&room=${ROOM}`,
    '--concurrency', a.concurrency, '--connect-rate', a['connect-rate'],
    '--seq-from', String(windowFirstSeq), '--seq-to', String(windowLastSeq), '--control',
    ...(a['reader-cpu'] !== undefined ? ['--cpu', a['reader-cpu']] : []),
  ];
  const child = spawn(a.reader, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map();
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const o = JSON.parse(line);
    const key = o.event === 'snapshot' ? `snapshot:${o.tag}` : o.event;
    waiting.get(key)?.(o);
    waiting.delete(key);
  });
  const next = (key, timeoutMs) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reader: no ${key} line within ${timeoutMs} ms`)), timeoutMs);
      waiting.set(key, (o) => {
        clearTimeout(timer);
        resolve(o);
      });
      void exited.then((code) => reject(new Error(`reader exited (${code}) before its ${key} line`)));
    });
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    ready: next('ready', 60_000 + N * 20),
    snapshot(tag) {
      const p = next(`snapshot:${tag}`, 10_000);
      child.stdin.write(`snapshot ${tag}\n`);
      return p;
    },
    result() {
      const p = next('result', 10_000);
      child.stdin.end();
      return p;
    },
  };
}

/** The poster: joined to the room like everyone else, so its posts go through the same path. */
function connectZenLivePoster() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/chat?room=${ROOM}&token=poster`, { perMessageDeflate: false });
    let joined = false;
    ws.on('message', (data) => {
      if (!joined && data.includes('"type":"joined"')) {
        joined = true;
        resolve(ws);
      }
    });
    ws.on('close', (code) => {
      if (!joined) reject(new Error(`poster closed ${code} before joining`));
      else if (!finished) progress(`poster closed ${code}`);
    });
    ws.on('error', (err) => {
      if (!joined) reject(err);
    });
  });
}

function connectSocketIoPoster() {
  return new Promise((resolve, reject) => {
    const s = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], query: { room: ROOM }, reconnection: false, forceNew: true, timeout: 60_000 });
    s.on('connect', () => resolve(s));
    s.on('connect_error', reject);
    s.on('disconnect', (reason) => {
      if (!finished) progress(`poster disconnected: ${reason}`);
    });
  });
}

let finished = false;
const t0 = Date.now();
const reader = startReader();
const ready = await reader.ready;
progress(`${ready.connected} readers connected in ${Date.now() - t0} ms (${ready.failed} failed)`);
const poster = server === 'zenlive' ? await connectZenLivePoster() : await connectSocketIoPoster();
// Let join/presence traffic settle before the first post.
await sleep(1500);

const post = (content) => {
  if (server === 'zenlive') poster.send(JSON.stringify({ v: 1, type: 'message', room: ROOM, content }));
  else poster.emit('post', { content });
};

let sent = 0;
let snapStart;
let snapEnd;
let cpuStart;
let cpuWindow;
const start = Date.now();
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const due = Math.min(totalMessages, Math.floor(((Date.now() - start) * rate) / 1000));
    while (sent < due) {
      if (sent === windowFirstSeq) {
        snapStart = reader.snapshot('window-start');
        cpuStart = process.cpuUsage();
        out({ event: 'window-start' });
      }
      // Date.now() is CLOCK_REALTIME, the clock the reader stamps arrivals with.
      post(`${sent} ${Date.now()}`);
      sent++;
    }
    if (sent >= totalMessages) {
      clearInterval(timer);
      snapEnd = reader.snapshot('window-end');
      cpuWindow = process.cpuUsage(cpuStart);
      out({ event: 'window-end' });
      resolve();
    }
  }, 2);
});
const [s0, s1] = await Promise.all([snapStart, snapEnd]);
await sleep(Number(a.grace) * 1000);
const r = await reader.result();

const connected = ready.connected;
const expected = connected * totalMessages;
const windowMs = windowS * 1000;
const posterCpuMs = (cpuWindow.user + cpuWindow.system) / 1000;
const readerCpuMs = s1.cpu_ms - s0.cpu_ms;
const percent = (ms) => Math.round((ms / windowMs) * 1000) / 10;
out({
  event: 'result',
  server,
  clients: N,
  connect_failures: ready.failed,
  disconnected: r.closed,
  rate,
  window_s: windowS,
  posted: totalMessages,
  expected_deliveries: expected,
  delivered: r.messages,
  lost: expected - r.messages,
  loss_percent: expected === 0 ? 0 : Math.round(((expected - r.messages) / expected) * 1e6) / 1e4,
  delivered_per_s_in_window: Math.round((s1.messages - s0.messages) / windowS),
  latency_clients: connected,
  out_of_order: r.out_of_order,
  unstamped: r.unstamped,
  min_client_messages: r.min_client_messages,
  max_client_messages: r.max_client_messages,
  latency_samples: r.latency_samples,
  p50_ms: r.p50_ms,
  p90_ms: r.p90_ms,
  p99_ms: r.p99_ms,
  max_ms: r.max_ms,
  latency_over_10s: r.latency_over_10s,
  loadgen_cpu_percent: percent(posterCpuMs + readerCpuMs),
  reader_cpu_percent: percent(readerCpuMs),
  poster_cpu_percent: percent(posterCpuMs),
  reader_bytes_per_s_in_window: Math.round((s1.bytes - s0.bytes) / windowS),
});
finished = true;
if (server === 'zenlive') poster.terminate();
else poster.disconnect();
setTimeout(() => process.exit(0), 500);
