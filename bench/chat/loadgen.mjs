// The chat load generator, one process for every client (pinned to its own core by
// bench/chat-fanout.ts). It opens N readers in one room plus one poster, posts `rate` messages
// per second, and counts what each reader gets. Every reader counts messages; one in
// `sample-every` also parses them, for latency (send and receive clocks are this process's)
// and for exact per-client order and loss. Same generator for both servers: only the client
// library differs (raw `ws` for ZenLive's JSON frames, socket.io-client for Socket.IO).
//
// Readers that only count (all but one in `sample-every`) speak WebSocket over a raw TCP socket:
// after the upgrade they count message events by scanning the server's unmasked frames for the
// event marker, with no frame assembly or JSON. At 10,000 clients a `ws` client per reader costs
// the generator more CPU than the server spends sending, and the run then measures the generator.
//
// Prints JSON lines on stdout: {"event":"window-start"}, {"event":"window-end"}, then
// {"event":"result",...}; progress on stderr.
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';

const { values: a } = parseArgs({
  options: {
    server: { type: 'string' },
    port: { type: 'string' },
    clients: { type: 'string', default: '200' },
    rate: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '3' },
    window: { type: 'string', default: '10' },
    grace: { type: 'string', default: '3' },
    'sample-every': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '100' },
  },
});
const server = a.server;
const port = Number(a.port);
const N = Number(a.clients);
const rate = Number(a.rate);
const warmupS = Number(a.warmup);
const windowS = Number(a.window);
const sampleEvery = Number(a['sample-every']);
const ROOM = 'bench';
const now = () => performance.timeOrigin + performance.now();
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const progress = (m) => process.stderr.write(`loadgen[${server} n=${N}]: ${m}\n`);

const MESSAGE_MARK = Buffer.from('"type":"message"');
let windowFirstSeq = Infinity;
let windowLastSeq = -1;
const latencies = [];

/** One reader's counters. */
function makeReader(sampled) {
  return { sampled, count: 0, lastSeq: -1, outOfOrder: 0, seen: 0, closed: false, closeCode: 0 };
}

function record(r, seq, sentAt) {
  if (seq <= r.lastSeq) r.outOfOrder++;
  r.lastSeq = seq;
  r.seen++;
  if (seq >= windowFirstSeq && seq <= windowLastSeq) latencies.push(now() - sentAt);
}

function connectZenLive(r, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/chat?room=${ROOM}${token ? `&token=${token}` : ''}`, { perMessageDeflate: false });
    let joined = false;
    ws.on('message', (data) => {
      if (!joined) {
        if (data.includes('"type":"joined"')) {
          joined = true;
          resolve(ws);
        }
        return;
      }
      if (r === undefined) return;
      if (!r.sampled) {
        // Count without parsing: the marker appears once per message event in the frame.
        for (let i = data.indexOf(MESSAGE_MARK); i !== -1; i = data.indexOf(MESSAGE_MARK, i + MESSAGE_MARK.length)) r.count++;
        return;
      }
      for (const line of data.toString('utf8').split('\n')) {
        const e = JSON.parse(line);
        if (e.type !== 'message') continue;
        r.count++;
        const [seq, sentAt] = e.content.split(' ');
        record(r, Number(seq), Number(sentAt));
      }
    });
    ws.on('close', (code) => {
      if (r !== undefined) {
        r.closed = true;
        r.closeCode = code;
      }
      if (!joined) reject(new Error(`closed ${code} before joining`));
    });
    ws.on('error', (err) => {
      if (!joined) reject(err);
    });
  });
}

/** A counting reader for ZenLive on a raw socket: upgrade by hand, then count message markers. */
function connectZenLiveCounter(r) {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const key = randomBytes(16).toString('base64');
    let head = '';
    let upgraded = false;
    let joined = false;
    // The tail of the previous chunk, so a marker split across two reads is still found once.
    let carry = Buffer.alloc(0);
    const keep = MESSAGE_MARK.length - 1;
    socket.once('connect', () => {
      socket.write(`GET /ws/chat?room=${ROOM} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      let data = chunk;
      if (!upgraded) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!head.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
          return;
        }
        upgraded = true;
        data = Buffer.from(head.slice(end + 4), 'latin1');
      }
      const scan = carry.length > 0 ? Buffer.concat([carry, data]) : data;
      if (!joined) {
        if (scan.includes('"type":"joined"')) {
          joined = true;
          resolve(socket);
        }
        carry = scan.subarray(Math.max(0, scan.length - keep));
        return;
      }
      for (let i = scan.indexOf(MESSAGE_MARK); i !== -1; i = scan.indexOf(MESSAGE_MARK, i + MESSAGE_MARK.length)) r.count++;
      carry = Buffer.from(scan.subarray(Math.max(0, scan.length - keep)));
    });
    socket.on('close', () => {
      r.closed = true;
      if (!joined) reject(new Error('closed before joining'));
    });
    socket.on('error', (err) => {
      if (!joined) reject(err);
    });
  });
}

function connectSocketIo(r) {
  return new Promise((resolve, reject) => {
    const s = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], query: { room: ROOM }, reconnection: false, forceNew: true, timeout: 60_000 });
    s.on('connect', () => resolve(s));
    s.on('connect_error', reject);
    s.on('disconnect', (reason) => {
      if (r !== undefined) {
        r.closed = true;
        r.closeCode = reason;
      }
    });
    if (r === undefined) return;
    s.on('message', (m) => {
      r.count++;
      if (!r.sampled) return;
      const [seq, sentAt] = m.content.split(' ');
      record(r, Number(seq), Number(sentAt));
    });
  });
}

const connect = server === 'zenlive' ? (r) => (r.sampled ? connectZenLive(r) : connectZenLiveCounter(r)) : connectSocketIo;
const readers = [];
const sockets = [];
let connectFailures = 0;
const t0 = Date.now();
for (let i = 0; i < N; i += Number(a.concurrency)) {
  const batch = [];
  for (let j = i; j < Math.min(N, i + Number(a.concurrency)); j++) {
    const r = makeReader(j % sampleEvery === 0);
    readers.push(r);
    batch.push(
      connect(r).then(
        (s) => sockets.push(s),
        () => {
          connectFailures++;
          r.closed = true;
        },
      ),
    );
  }
  await Promise.all(batch);
}
progress(`${N - connectFailures} readers connected in ${Date.now() - t0} ms (${connectFailures} failed)`);
const poster = server === 'zenlive' ? await connectZenLive(undefined, 'poster') : await connectSocketIo(undefined);
sockets.push(poster);
// Let join/presence traffic settle before the first post.
await new Promise((r) => setTimeout(r, 1500));

const post = (content) => {
  if (server === 'zenlive') poster.send(JSON.stringify({ v: 1, type: 'message', room: ROOM, content }));
  else poster.emit('post', { content });
};

const totalSeconds = warmupS + windowS;
const totalMessages = Math.round(rate * totalSeconds);
windowFirstSeq = Math.round(rate * warmupS);
windowLastSeq = totalMessages - 1;
const counted = () => readers.reduce((s, r) => s + r.count, 0);
let sent = 0;
let windowStartCount = 0;
let windowEndCount = 0;
let cpuStart;
let cpuWindow;
const start = now();
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const due = Math.min(totalMessages, Math.floor(((now() - start) * rate) / 1000));
    while (sent < due) {
      if (sent === windowFirstSeq) {
        windowStartCount = counted();
        cpuStart = process.cpuUsage();
        out({ event: 'window-start' });
      }
      post(`${sent} ${now().toFixed(3)}`);
      sent++;
    }
    if (sent >= totalMessages) {
      clearInterval(timer);
      windowEndCount = counted();
      cpuWindow = process.cpuUsage(cpuStart);
      out({ event: 'window-end' });
      resolve();
    }
  }, 2);
});
await new Promise((r) => setTimeout(r, Number(a.grace) * 1000));

const live = readers.filter((r) => !r.closed);
const expected = (N - connectFailures) * totalMessages;
const delivered = counted();
latencies.sort((x, y) => x - y);
const pct = (p) => (latencies.length === 0 ? null : Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 10) / 10);
const sampled = readers.filter((r) => r.sampled && !r.closed);
out({
  event: 'result',
  server,
  clients: N,
  connect_failures: connectFailures,
  disconnected: readers.length - live.length - connectFailures,
  rate,
  window_s: windowS,
  posted: totalMessages,
  expected_deliveries: expected,
  delivered,
  lost: expected - delivered,
  loss_percent: expected === 0 ? 0 : Math.round(((expected - delivered) / expected) * 1e6) / 1e4,
  delivered_per_s_in_window: Math.round((windowEndCount - windowStartCount) / windowS),
  sampled_clients: sampled.length,
  sampled_out_of_order: sampled.reduce((s, r) => s + r.outOfOrder, 0),
  latency_samples: latencies.length,
  p50_ms: pct(50),
  p99_ms: pct(99),
  max_ms: pct(100),
  loadgen_cpu_percent: Math.round(((cpuWindow.user + cpuWindow.system) / 1000 / (windowS * 1000)) * 1000) / 10,
});
for (const s of sockets) {
  if (server !== 'zenlive') s.disconnect();
  else if (typeof s.terminate === 'function') s.terminate();
  else s.destroy();
}
setTimeout(() => process.exit(0), 500);
