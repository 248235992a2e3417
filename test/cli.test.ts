import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeClip } from './helpers/clip.js';
import { runCli, type CliProcess } from './helpers/cli.js';
import { publishClip, type FfmpegProcess } from './helpers/ffmpeg.js';
import { startRtmpPlayer } from './helpers/players.js';
import { waitFor } from './helpers/server.js';
import { startRedisServer, type RedisServerPeer } from '../src/state/testing/redis-server.js';

const EXAMPLES = join(import.meta.dirname, '../examples/config');
const FREE_PORTS = ['--rtmp-port', '0', '--http-port', '0', '--host', '127.0.0.1'];

/** A port nothing listens on: bound, then released. */
async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const address = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function tempConfig(value: unknown): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'zenlive-cli-')), 'live.json');
  await writeFile(file, JSON.stringify(value));
  return file;
}

describe('the zenlive command', () => {
  const procs: CliProcess[] = [];
  const children: FfmpegProcess[] = [];
  const peers: Array<RedisServerPeer | undefined> = [];

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    for (const p of procs.splice(0)) p.kill();
    await Promise.all(peers.splice(0).map((r) => r?.stop()));
  });

  function start(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
    const p = runCli(args, env);
    procs.push(p);
    return p;
  }

  it('runs livestream-simple.json, says which enabled parts are not built, and stops cleanly on SIGTERM with a live stream', async () => {
    const p = start(['--config', join(EXAMPLES, 'livestream-simple.json'), ...FREE_PORTS]);
    const started = await p.waitForLog('zenlive started');
    const rtmpPort = started['rtmp_port'] as number;
    const httpPort = started['http_port'] as number;
    const warnings = p.lines.filter((l) => l['level'] === 'warn').map((l) => String(l['msg']));
    // HLS and chat are built: no warning for them, and HLS serves the stream below.
    expect(warnings.some((w) => w.startsWith('chat.enabled:'))).toBe(false);
    expect(warnings.some((w) => w.startsWith('streaming.enable_hls'))).toBe(false);
    expect((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status).toBe(200);

    const publisher = publishClip(await makeClip(), `rtmp://127.0.0.1:${rtmpPort}/live/cli`);
    children.push(publisher);
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/streams/cli`);
      return res.status === 200 && ((await res.json()) as { state: string }).state === 'LIVE';
    }, 'stream live via the CLI server');
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/live/cli/index.m3u8`)).status === 200, 'HLS master playlist', 15_000);
    const player = await startRtmpPlayer(`rtmp://127.0.0.1:${rtmpPort}/live/cli`);
    await waitFor(() => player.messages.length > 10, 'player receiving');

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(await player.closed).toBeUndefined();
    expect(await publisher.exited).not.toBeNull();
    expect(p.lines.some((l) => l['msg'] === 'zenlive stopped')).toBe(true);
  });

  it.each([
    ['video-call.json', ['streaming.enable_webrtc:']],
    ['production-distributed.json', ['cluster.enabled:', 'analytics.enabled:', 'streaming.enable_webrtc:']],
  ])('runs %s and names each enabled part that is not built yet', async (file, keys) => {
    // The distributed example shares state through Redis: point it at a real one.
    const redis = file.startsWith('production') ? await startRedisServer() : undefined;
    peers.push(redis);
    const env = redis !== undefined ? { ZENLIVE_REDIS__HOST: '127.0.0.1', ZENLIVE_REDIS__PORT: String(redis.port) } : {};
    const p = start(['--config', join(EXAMPLES, file), ...FREE_PORTS], env);
    await p.waitForLog('zenlive started');
    const warnings = p.lines.filter((l) => l['level'] === 'warn').map((l) => String(l['msg']));
    for (const key of keys) expect(warnings.some((w) => w.startsWith(key)), `${key} in ${JSON.stringify(warnings)}`).toBe(true);
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(0);
  });

  it.each([
    ['a misspelt key', { streaming: { rtmp: { prot: 1935 } } }, [], {}, /streaming\.rtmp\.prot: unknown key/],
    ['a bad value', { streaming: { rtmp: { chunk_size: 'big' } } }, [], {}, /streaming\.rtmp\.chunk_size:/],
    ['auth in production with a short secret', { environment: 'production', auth: { enabled: true, jwt_secret: 'short' } }, [], {}, /auth\.jwt_secret: /],
    ['a JWT key with an algorithm we do not pin', { auth: { jwt_keys: [{ kid: 'k1', alg: 'none', secret: 'x' }] } }, [], {}, /auth\.jwt_keys\.0\.alg:/],
    ['a bad env value', {}, [], { ZENLIVE_STREAMING__RTMP__CHUNK_SIZE: 'abc' }, /streaming\.rtmp\.chunk_size:/],
    ['an unknown flag', {}, ['--rtmp-prot', '1'], {}, /--rtmp-prot/],
    ['a bad port flag', {}, ['--http-port', 'x'], {}, /--http-port: expected a port number/],
  ])('exits with code 2 on %s, naming it', { timeout: 15_000 }, async (_name, config, flags, env, message) => {
    const p = start(['--config', await tempConfig(config), ...FREE_PORTS, ...(flags as string[])], env as NodeJS.ProcessEnv);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(message);
  });

  it('lets flags beat env and env beat the file', async () => {
    const file = await tempConfig({ logging: { level: 'error' }, server: { host: '127.0.0.1' } });
    const p = start(['--config', file, '--rtmp-port', '0', '--http-port', '0', '--log-level', 'info'], { ZENLIVE_LOGGING__LEVEL: 'warn', ZENLIVE_STREAMING__ENABLE_HLS: 'false', ZENLIVE_CHAT__ENABLED: 'false' });
    await p.waitForLog('zenlive started');
    // The one warning of the embedded default: auth is off (the info-level file setting would have hidden it).
    expect(p.lines.filter((l) => l['level'] === 'warn').map((l) => l['msg'])).toEqual(['auth is disabled: every API action is allowed to anyone']);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('exits with code 1 naming redis when cluster mode cannot reach it', async () => {
    const closed = await freeTcpPort();
    const p = start(['--config', await tempConfig({ cluster: { enabled: true }, redis: { enabled: true, host: '127.0.0.1', port: closed, max_retries: 0 } }), ...FREE_PORTS]);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(new RegExp(`redis at 127\\.0\\.0\\.1:${closed} \\(redis\\.host, redis\\.port\\) is not reachable`));
  });

  it('exits with code 1 and a clear message when a port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const p = start(['--rtmp-port', '0', '--http-port', String(port), '--host', '127.0.0.1']);
      expect(await p.exited).toBe(1);
      expect(p.stderr()).toMatch(/cannot start: .*EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});
