import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDir, ROOT, WORK } from '../../lib/paths.js';
import { buildChatReader } from './index.js';

let reader: string;
let dist: string;
let dir: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  // inside the repository, so the compiled server resolves fastify, ws and pino from node_modules
  dir = mkdtempSync(join(ensureDir(join(WORK, 'chat')), 'test-'));
  reader = buildChatReader(dir);
  dist = join(dir, 'dist');
  // tsc exits 2 when other areas have type errors; the chat it emits is what the server needs
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', dist, '--declaration', 'false', '--sourceMap', 'false'], { cwd: ROOT, stdio: 'ignore' });
  if (r.status !== 0 && r.status !== 2) throw new Error(`building ZenLive failed (tsc exit ${String(r.status)})`);
});

/** Runs `node args` and resolves with its stdout JSON lines once it exits. */
function runNode(args: string[]): { lines: Promise<Record<string, unknown>[]>; first: Promise<Record<string, unknown>>; kill(): void } {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  let firstLine: (o: Record<string, unknown>) => void = () => undefined;
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    firstLine = resolve;
    child.once('exit', (code) => reject(new Error(`${args[0] ?? 'node'} exited (${String(code)}) before printing a line`)));
  });
  createInterface({ input: child.stdout }).on('line', (l) => {
    if (!l.startsWith('{')) return;
    const o = JSON.parse(l) as Record<string, unknown>;
    lines.push(o);
    firstLine(o);
  });
  return { lines: new Promise((resolve) => child.once('exit', () => resolve(lines))), first, kill: () => child.kill('SIGTERM') };
}

describe('loadgen with the native reader, against the real chat servers', () => {
  for (const kind of ['zenlive', 'socketio'] as const) {
    it(`${kind}: every reader gets every post, in order, each with a latency`, async () => {
      const server = runNode(kind === 'zenlive' ? [join(ROOT, 'bench/chat/zenlive-chat-server.mjs'), '--dist', dist] : [join(ROOT, 'bench/chat/socketio-chat-server.mjs')]);
      try {
        const { port } = (await server.first) as { port: number };
        const clients = 30;
        const gen = runNode([join(ROOT, 'bench/chat/loadgen.mjs'), '--server', kind, '--port', String(port), '--reader', reader, '--clients', String(clients), '--rate', '50', '--warmup', '1', '--window', '2', '--grace', '1']);
        const lines = await gen.lines;
        expect(lines.map((l) => l['event'])).toEqual(['window-start', 'window-end', 'result']);
        const result = lines[2] as Record<string, number>;
        expect(result).toMatchObject({ connect_failures: 0, disconnected: 0, posted: 150, expected_deliveries: clients * 150, delivered: clients * 150, lost: 0, out_of_order: 0, unstamped: 0, min_client_messages: 150, max_client_messages: 150, latency_samples: clients * 100, latency_over_10s: 0 });
        expect(result['p50_ms']).toBeGreaterThanOrEqual(0);
        expect(result['p99_ms']).toBeGreaterThanOrEqual(result['p50_ms'] as number);
        expect(result['max_ms']).toBeGreaterThanOrEqual(result['p99_ms'] as number);
      } finally {
        server.kill();
      }
    });
  }
});
