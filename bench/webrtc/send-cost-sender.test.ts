import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitJson, type Child } from '../lib/procs.js';
import { FrameLog } from './frame-log.js';
import { ensureH264Clip } from './h264-clip.js';
import { startScript } from './load-runner.js';
import type { SendTransport, SenderConfig } from './send-cost-sender.js';
import { SubscriberStats } from './subscriber-stats.js';
import { openWhepSubscriber, type WhepSubscriber } from './whep-subscriber.js';

const dir = mkdtempSync(join(tmpdir(), 'webrtc-sender-'));
const children: Child[] = [];
const subs: WhepSubscriber[] = [];
afterAll(async () => {
  for (const s of subs) s.close();
  for (const c of children) await c.stop(3000);
  rmSync(dir, { recursive: true, force: true });
});

describe('the send-cost sender (its own process, as the benchmark runs it)', () => {
  for (const transport of ['werift', 'datachannel'] as SendTransport[]) {
    it(`${transport}: two WHEP viewers each get the paced clip with no gap in sequence numbers`, async () => {
      const clipPath = await ensureH264Clip({ seconds: 2, videoKbps: 400, size: '320x240', dir });
      const config: SenderConfig = { transport, clipPath, maxPayloadBytes: 1150 };
      const sender = startScript(`${transport} sender`, 'send-cost-sender.ts', undefined, { ZENLIVE_BENCH_SENDER: JSON.stringify(config) });
      children.push(sender);
      const { http_port: port } = await waitJson<{ http_port: number }>(sender, 30_000, (o) => typeof o['http_port'] === 'number');
      const stats = [0, 1].map(() => new SubscriberStats(new FrameLog(), () => undefined));
      for (const [i, st] of stats.entries()) subs.push(await openWhepSubscriber({ id: i, url: `http://127.0.0.1:${port}/whep/x`, onPacket: (p, now) => st.onPacket(p, now) }));
      const report = await waitJson<{ packets: number; viewers: number }>(sender, 10_000, (o) => o['event'] === 'sent' && (o['packets'] as number) > 200);
      expect(report.viewers).toBe(2);
      for (const st of stats) {
        expect(st.packets).toBeGreaterThan(50);
        expect(st.sequenceLoss.lost).toBe(0);
      }
    });
  }
});
