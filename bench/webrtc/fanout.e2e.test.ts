import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/base/index.js';
import { createHttpApp } from '../../src/http/index.js';
import { StreamRegistry } from '../../src/hub/index.js';
import { registerWebRtcRoutes, WebRtcService } from '../../src/protocols/webrtc/index.js';
import { ensureH264Clip, loadClip } from './h264-clip.js';
import { SubscriberStats } from './subscriber-stats.js';
import { openWhepSubscriber, type WhepSubscriber } from './whep-subscriber.js';
import { startWhipPublisher, type WhipPublisher } from './whip-publisher.js';

const dir = mkdtempSync(join(tmpdir(), 'webrtc-e2e-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** ZenLive's WHIP/WHEP endpoints in this process, on 127.0.0.1 and port 0 (as test/webrtc-http.test.ts builds them). */
async function startEndpoints(): Promise<{ base: string; stop(): Promise<void> }> {
  const logger = silentLogger();
  const registry = new StreamRegistry({ gopCache: { maxFrames: 600, maxBytes: 32 * 1024 * 1024 }, backpressure: { softLimitBytes: 4 * 1024 * 1024, hardLimitBytes: 16 * 1024 * 1024, maxSkipMs: 10_000 } });
  const webrtc = new WebRtcService({ registry, logger, stunServers: [], turnServers: [], bindAddress: '127.0.0.1', transcodeWhipAudio: false });
  const http: FastifyInstance = await createHttpApp({ logger, registry, isReady: () => true, corsOrigins: ['*'] });
  registerWebRtcRoutes(http, webrtc);
  await http.listen({ host: '127.0.0.1', port: 0 });
  const address = http.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      registry.endAll('server-stopping');
      webrtc.close();
      await http.close();
    },
  };
}

describe('the fan-out measurement against ZenLive WHIP/WHEP', () => {
  let publisher: WhipPublisher | undefined;
  const subs: WhepSubscriber[] = [];
  let stopServer: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const s of subs) s.close();
    await publisher?.close();
    await stopServer?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('node-datachannel viewers get every packet the werift publisher sent in a window, each frame after it was sent', async () => {
    const clip = loadClip(await ensureH264Clip({ seconds: 4, videoKbps: 600, size: '640x360', dir }), 1150);
    const server = await startEndpoints();
    stopServer = server.stop;
    publisher = await startWhipPublisher(`${server.base}/whip/cam`, clip);
    const pub = publisher;
    const latencies: number[] = [];
    const stats = [new SubscriberStats(pub.log, (ms) => latencies.push(ms)), new SubscriberStats(pub.log, (ms) => latencies.push(ms))];
    for (const [i, st] of stats.entries()) {
      for (let tries = 0; ; tries++) {
        try {
          subs.push(await openWhepSubscriber({ id: i, url: `${server.base}/whep/cam`, onPacket: (p, now) => st.onPacket(p, now) }));
          break;
        } catch (err) {
          // the stream exists once the publisher's first keyframe went through
          if (tries > 40) throw err;
          await sleep(100);
        }
      }
    }
    // past the GOP the cache replayed, then a 3 s window
    await sleep(2500);
    const from = pub.frames;
    for (const st of stats) st.openWindow(from, 200);
    await sleep(3000);
    const to = pub.log.sentThrough;
    for (const st of stats) st.closeWindow(to);
    await sleep(500);
    const sent = pub.log.packetsBetween(from, to);
    expect(sent).toBeGreaterThan(0);
    for (const st of stats) expect(st.windowPackets).toBe(sent);
    expect(latencies).toHaveLength(2 * (to - from + 1));
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(0);
    expect(stats.map((s) => s.sequenceLoss.lost)).toEqual([0, 0]);
  });
});
