import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from './index.js';

async function tempJson(value: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zenlive-config-'));
  const file = join(dir, 'live.json');
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills every default of the design for an empty object', () => {
    const c = parseConfig({});
    expect(c.server.http_port).toBe(8080);
    expect(c.streaming.rtmp.port).toBe(1935);
    expect(c.streaming.enable_rtmp).toBe(true);
    expect(c.chat.max_message_length).toBe(500);
    expect(c.chat.rate_limit_per_second).toBe(5);
    expect(c.cluster.enabled).toBe(false);
    expect(c.redis.enabled).toBe(false);
    expect(c.analytics.enabled).toBe(false);
    expect(c.logging.level).toBe('info');
    expect(Object.isFrozen(c.streaming.rtmp)).toBe(true);
  });

  it('names an unknown key by its full path', () => {
    expect(problemsOf(() => parseConfig({ streaming: { rtmp: { prot: 1 } } }))).toEqual(['streaming.rtmp.prot: unknown key']);
  });

  it('names a bad value by its full path', () => {
    const problems = problemsOf(() => parseConfig({ streaming: { rtmp: { port: 'x' } } }));
    expect(problems[0]).toMatch(/^streaming\.rtmp\.port: .*number/);
    expect(problemsOf(() => parseConfig({ server: { http_port: 70000 } }))[0]).toMatch(/^server\.http_port:/);
  });

  it('refuses viewer workers for werift viewers', () => {
    expect(problemsOf(() => parseConfig({ streaming: { webrtc: { viewer_workers: 2, viewer_transport: 'werift' } } }))[0]).toMatch(/^streaming\.webrtc\.viewer_workers:/);
  });

  it('requires redis when cluster mode is on', () => {
    expect(problemsOf(() => parseConfig({ cluster: { enabled: true } }))[0]).toMatch(/^redis\.enabled:/);
  });

  it('checks HLS settings that depend on each other', () => {
    expect(problemsOf(() => parseConfig({ streaming: { hls: { segment_duration_seconds: 1, part_duration_seconds: 0.8 } } }))[0]).toMatch(/^streaming\.hls\.part_duration_seconds:/);
    const twice = { enabled: true, renditions: [{ name: 'a', height: 360, video_bitrate_kbps: 500 }, { name: 'a', height: 240, video_bitrate_kbps: 300 }] };
    expect(problemsOf(() => parseConfig({ streaming: { hls: { abr: twice } } }))[0]).toMatch(/used twice/);
    expect(problemsOf(() => parseConfig({ streaming: { hls: { abr: { renditions: [{ name: 'source', height: 360, video_bitrate_kbps: 1 }] } } } })).join()).toMatch(/source/);
  });

  it('layers file, then ZENLIVE_ env, then flags', async () => {
    const file = await tempJson({ streaming: { rtmp: { port: 1000 } }, server: { http_port: 1001 }, logging: { level: 'warn' } });
    const c = await loadConfig({
      file,
      env: { ZENLIVE_STREAMING__RTMP__PORT: '2000', ZENLIVE_LOGGING__LEVEL: 'debug', ZENLIVE_CONFIG: 'ignored', PATH: '/bin' },
      overrides: { 'streaming.rtmp.port': 3000 },
    });
    expect(c.streaming.rtmp.port).toBe(3000);
    expect(c.server.http_port).toBe(1001);
    expect(c.logging.level).toBe('debug');
  });

  it('refuses an env variable that names no key', async () => {
    await expect(loadConfig({ env: { ZENLIVE_STREAMING__RTMP__PROT: '1' } })).rejects.toThrow(/streaming\.rtmp\.prot: unknown key/);
  });

  it('reports unreadable and malformed files with the file name', async () => {
    await expect(loadConfig({ file: '/nonexistent/live.json' })).rejects.toThrow(/cannot read/);
    await expect(loadConfig({ file: await tempJson('{ nope') })).rejects.toThrow(/not valid JSON/);
  });

  it('accepts the three example configs', async () => {
    for (const name of ['livestream-simple', 'video-call', 'production-distributed']) {
      const c = await loadConfig({ file: join(import.meta.dirname, '../../examples/config', `${name}.json`) });
      expect(c.server.http_port).toBe(8080);
    }
  });
});
