import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/base/index.js';
import { createHttpApp } from '../src/http/index.js';
import { StreamRegistry } from '../src/hub/index.js';
import { registerFlvRoutes } from '../src/protocols/flv/index.js';
import { RtmpServer } from '../src/protocols/rtmp/index.js';
import { registerWebRtcRoutes, WebRtcService } from '../src/protocols/webrtc/index.js';
import { launchChromium, type TestBrowser } from './helpers/browser.js';
import { childProcesses } from './helpers/processes.js';
import { startUdpRelay, type UdpRelay } from './helpers/udp-relay.js';
import { makeClip } from './helpers/clip.js';
import { probe, publishClip, type FfmpegProcess } from './helpers/ffmpeg.js';
import { waitFor } from './helpers/server.js';
import { WHIP_PUBLISH } from './helpers/webrtc-pages.js';

/** The pieces the app will wire: hub, HTTP app with the WHIP/WHEP routes, RTMP ingest; all on 127.0.0.1. */
interface Node {
  registry: StreamRegistry;
  webrtc: WebRtcService;
  http: FastifyInstance;
  rtmp: RtmpServer;
  base: string;
  stop(): Promise<void>;
}

async function startNode(viewerTransport: 'native' | 'werift' | 'direct' = 'werift', viewerWorkers = 0): Promise<Node> {
  const logger = silentLogger();
  const registry = new StreamRegistry({
    gopCache: { maxFrames: 600, maxBytes: 32 * 1024 * 1024 },
    backpressure: { softLimitBytes: 4 * 1024 * 1024, hardLimitBytes: 16 * 1024 * 1024, maxSkipMs: 10_000 },
  });
  const webrtc = new WebRtcService({ registry, logger, stunServers: [], turnServers: [], bindAddress: '127.0.0.1', viewerTransport, viewerWorkers });
  await webrtc.ready();
  const http = await createHttpApp({ logger, registry, isReady: () => true, corsOrigins: ['*'] });
  registerWebRtcRoutes(http, webrtc);
  registerFlvRoutes(http, { registry, logger, corsOrigin: '*' });
  await http.listen({ host: '127.0.0.1', port: 0 });
  const rtmp = new RtmpServer({
    host: '127.0.0.1', port: 0, apps: ['live'], chunkSize: 4096, windowAckSize: 2_500_000, maxMessageSize: 8 * 1024 * 1024,
    handshakeTimeoutMs: 5000, idleTimeoutMs: 10_000, maxConnections: 100, registry, logger,
  });
  await rtmp.listen();
  const address = http.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    registry, webrtc, http, rtmp, base: `http://127.0.0.1:${port}`,
    async stop() {
      registry.endAll('server-stopping');
      await webrtc.close();
      await rtmp.close(2000);
      // Chromium keeps its fetch connections alive; they must not hold the close up
      http.server.closeAllConnections();
      await http.close();
    },
  };
}

const WHEP_PLAY = `async (url) => {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const video = document.createElement('video');
  // not muted: Chromium measures received audio energy only for audio that is played out
  video.autoplay = true; video.playsInline = true;
  document.body.appendChild(video);
  const media = new MediaStream();
  pc.ontrack = (e) => { media.addTrack(e.track); video.srcObject = media; };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
  const body = await res.text();
  if (res.status !== 201) return { status: res.status, body };
  await pc.setRemoteDescription({ type: 'answer', sdp: body });
  window.zenlivePlayer = pc;
  window.zenliveVideo = video;
  return { status: res.status, location: res.headers.get('location') };
}`;

// WHEP through a UDP relay in the test: both sides' candidates are pointed at it, so it sees (and
// can drop) every packet between the server and this page.
const WHEP_PLAY_VIA_RELAY = `async (url) => {
  const relay = await window.zlMakeRelay();
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  const video = document.createElement('video');
  video.autoplay = true; video.muted = true; video.playsInline = true;
  document.body.appendChild(video);
  pc.ontrack = (e) => { video.srcObject = new MediaStream([e.track]); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); });
  const offer = pc.localDescription.sdp.replace(/^a=candidate:.*\\r?\\n/gm, '').replace(/^(m=video.*\\r?\\n)/m, '$1a=candidate:1 1 udp 2130706431 127.0.0.1 ' + relay.towardBrowser + ' typ host\\r\\n');
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
  const body = await res.text();
  if (res.status !== 201) return { status: res.status, body };
  await window.zlRelayServer(Number(/^a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 (\\d+) typ host/im.exec(body)[1]));
  const answer = body.replace(/^a=candidate:.*\\r?\\n/gm, '').replace(/^(m=video.*\\r?\\n)/m, '$1a=candidate:1 1 udp 2130706431 127.0.0.1 ' + relay.towardServer + ' typ host\\r\\n');
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  window.zenlivePlayer = pc;
  return { status: res.status };
}`;

// An ICE restart as a WHEP player does it (RFC 9725 §4.3.2, as WHIP): new credentials and
// candidates in a PATCH with If-Match "*", the server's new ones back in the 200's fragment.
const WHEP_RESTART_ICE = `async (location) => {
  const pc = window.zenlivePlayer;
  pc.restartIce();
  await pc.setLocalDescription(await pc.createOffer());
  // gathering may still read "complete" from the first round for a moment: wait for new candidates
  for (let i = 0; i < 100 && !/^a=candidate:/m.test(pc.localDescription.sdp); i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); });
  const sdp = pc.localDescription.sdp;
  const ufrag = /^a=ice-ufrag:(.*)$/m.exec(sdp)[1].trim();
  const pwd = /^a=ice-pwd:(.*)$/m.exec(sdp)[1].trim();
  const mid = /^a=mid:(.*)$/m.exec(sdp)[1].trim();
  const candidates = sdp.match(/^a=candidate:.*$/gm) || [];
  const frag = ['a=ice-ufrag:' + ufrag, 'a=ice-pwd:' + pwd, 'm=video 9 UDP/TLS/RTP/SAVPF 0', 'a=mid:' + mid, ...candidates.map((c) => c.trim()), ''].join('\\r\\n');
  const res = await fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': '*' }, body: frag });
  const body = await res.text();
  if (res.status !== 200) return { status: res.status, body };
  const theirs = { ufrag: /^a=ice-ufrag:(.*)$/m.exec(body)[1].trim(), pwd: /^a=ice-pwd:(.*)$/m.exec(body)[1].trim(), candidates: (body.match(/^a=candidate:.*$/gm) || []).map((c) => c.trim()) };
  const old = pc.remoteDescription.sdp.replace(/^a=candidate:.*\\r?\\n/gm, '').replace(/^a=end-of-candidates\\r?\\n/gm, '');
  const remote = old.replace(/^a=ice-ufrag:.*$/gm, 'a=ice-ufrag:' + theirs.ufrag).replace(/^a=ice-pwd:.*$/gm, 'a=ice-pwd:' + theirs.pwd)
    .replace(/^(m=.*\\r?\\n)/gm, '$1' + theirs.candidates.map((c) => c + '\\r\\n').join(''));
  await pc.setRemoteDescription({ type: 'answer', sdp: remote });
  return { status: res.status, etag: res.headers.get('etag'), ufrag: theirs.ufrag };
}`;

const PLAYER_STATS = `async () => {
  const out = { framesDecoded: 0, audioEnergy: 0, audioPackets: 0, width: 0, height: 0, state: window.zenlivePlayer.connectionState };
  const stats = await window.zenlivePlayer.getStats();
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') { out.framesDecoded = s.framesDecoded || 0; out.width = s.frameWidth || 0; out.height = s.frameHeight || 0; }
    if (s.kind === 'audio') { out.audioEnergy = s.totalAudioEnergy || 0; out.audioPackets = s.packetsReceived || 0; }
  });
  return out;
}`;

interface PlayerStats {
  framesDecoded: number;
  audioEnergy: number;
  audioPackets: number;
  width: number;
  height: number;
  state: string;
}

async function playerStats(page: Page): Promise<PlayerStats> {
  return (await page.evaluate(`(${PLAYER_STATS})()`)) as PlayerStats;
}

describe('WebRTC in Chromium: WHIP ingest and WHEP playback through the hub', () => {
  let browser: TestBrowser;
  let node: Node | undefined;
  let ffmpeg: FfmpegProcess | undefined;
  let relay: UdpRelay | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const p of browser.context.pages()) await p.close();
    await relay?.close();
    relay = undefined;
    await ffmpeg?.stop();
    ffmpeg = undefined;
    await node?.stop();
    node = undefined;
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function openPage(n: Node): Promise<Page> {
    const { page } = await browser.newPage();
    // same origin as the endpoints, and 127.0.0.1 is a secure context for getUserMedia
    await page.goto(`${n.base}/healthz`);
    return page;
  }

  async function expectDecoding(page: Page, what: string): Promise<PlayerStats> {
    let last: PlayerStats | undefined;
    try {
      await waitFor(async () => {
        last = await playerStats(page);
        return last.framesDecoded > 30;
      }, `${what} to decode frames`, 20_000);
    } catch (err) {
      throw new Error(`${what}: ${JSON.stringify(last)}`, { cause: err });
    }
    const first = last as PlayerStats;
    await page.waitForTimeout(1500);
    const later = await playerStats(page);
    expect(later.framesDecoded, `${what}: frames keep coming`).toBeGreaterThan(first.framesDecoded + 10);
    return later;
  }

  /** Publishes the 640×360 test clip (no B-frames) over RTMP as `id` and waits for it to go live. */
  async function publishRtmp(n: Node, id: string): Promise<void> {
    const clip = await makeClip({ bframes: false, width: 640, height: 360 });
    ffmpeg = publishClip(clip, `rtmp://127.0.0.1:${n.rtmp.port}/live/${id}`, 60);
    await waitFor(() => n.registry.get(id)?.state === 'LIVE', 'the RTMP stream to go live', 15_000);
  }

  /** A new page that plays `id` over WHEP (201 expected); returns the page and the resource's Location. */
  async function playWhep(n: Node, id: string): Promise<{ page: Page; location: string }> {
    const page = await openPage(n);
    const played = (await page.evaluate(`(${WHEP_PLAY})(${JSON.stringify(`${n.base}/whep/${id}`)})`)) as { status: number; body?: string; location?: string };
    expect(played.status, played.body).toBe(201);
    return { page, location: played.location as string };
  }

  it('a Chromium WHIP publisher (H.264 + Opus) plays in a second page over WHEP and as H.264 + AAC over HTTP-FLV; DELETE ends the stream', async () => {
    node = await startNode();
    const publisher = await openPage(node);
    const published = (await publisher.evaluate(`(${WHIP_PUBLISH})(${JSON.stringify(`${node.base}/whip/cam1`)})`)) as { status: number; location?: string; body?: string };
    expect(published.status, published.body).toBe(201);
    expect(published.location).toMatch(/^\/whip\/resource\/[0-9a-f-]{36}$/);
    const n = node;
    await waitFor(() => n.registry.get('cam1')?.video !== undefined && n.registry.get('cam1')?.audio !== undefined, 'the WHIP stream to go live with video and audio', 20_000);
    const stream = n.registry.get('cam1');
    expect(stream?.video?.codec).toBe('h264');
    // Opus → AAC by ffmpeg, so HLS, RTMP and FLV players can use it
    expect(stream?.audio?.codec).toBe('aac');
    const probed = await probe(`${node.base}/live/cam1.flv`);
    expect(probed.map((p) => [p.codec_type, p.codec_name]).sort()).toEqual([['audio', 'aac'], ['video', 'h264']]);
    expect(probed.find((p) => p.codec_type === 'video')?.width).toBe(640);

    const viewer = await openPage(node);
    const played = (await viewer.evaluate(`(${WHEP_PLAY})(${JSON.stringify(`${node.base}/whep/cam1`)})`)) as { status: number; body?: string };
    expect(played.status, played.body).toBe(201);
    const stats = await expectDecoding(viewer, 'the WHEP viewer');
    expect(stats.width).toBe(640);
    await waitFor(async () => (await playerStats(viewer)).audioEnergy > 0, 'audio energy at the viewer', 10_000);
    expect(stream?.viewerCounts().webrtc).toBe(1);
    // the sessions API: what the publisher's tracks brought in, what the viewer's took out, and the viewer's reports
    await waitFor(async () => {
      const { items } = (await (await fetch(`${n.base}/api/v1/webrtc/sessions`)).json()) as { items: { kind: string; streamId: string; tracks: { video: { packets?: number; packetsSent?: number; rttMs?: number | null } | null } }[] };
      const whip = items.find((i) => i.kind === 'whip');
      const whep = items.find((i) => i.kind === 'whep');
      return whip?.streamId === 'cam1' && (whip.tracks.video?.packets ?? 0) > 100 && whep?.streamId === 'cam1' && (whep.tracks.video?.packetsSent ?? 0) > 100;
    }, 'per-peer stats for the publisher and the viewer', 10_000);
    // and the server's own time to hand each frame to the stream's WHEP viewers
    const { delivery } = (await (await fetch(`${n.base}/api/v1/webrtc/sessions`)).json()) as { delivery: { streamId: string; viewers: number; count: number; p50Ms: number; p99Ms: number; counts: number[]; perViewer: { count: number; p99Ms: number } }[] };
    expect(delivery).toHaveLength(1);
    expect(delivery[0]?.streamId).toBe('cam1');
    expect(delivery[0]?.viewers).toBe(1);
    expect(delivery[0]?.count).toBeGreaterThan(100);
    expect(delivery[0]?.counts.reduce((a, b) => a + b, 0)).toBe(delivery[0]?.count);
    expect(delivery[0]?.p99Ms).toBeLessThanOrEqual(50);
    // one viewer: one hand-off per frame, each no later than the frame's whole hand-off
    expect(delivery[0]?.perViewer.count).toBe(delivery[0]?.count);
    expect(delivery[0]?.perViewer.p99Ms).toBeLessThanOrEqual(delivery[0]?.p99Ms ?? 0);

    const del = await fetch(`${node.base}${published.location as string}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    await waitFor(() => n.registry.get('cam1') === undefined, 'the stream to end after DELETE');
    expect(stream?.state).toBe('ENDED');
    const again = await fetch(`${node.base}${published.location as string}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
  });

  it.each(['werift', 'native', 'direct'] as const)('an RTMP-published H.264 + AAC stream (no B-frames) plays over WHEP in Chromium on the %s transport: video repacketized, audio as Opus', async (transport) => {
    node = await startNode(transport);
    await publishRtmp(node, 'rtmp1');
    const { page: viewer } = await playWhep(node, 'rtmp1');
    const stats = await expectDecoding(viewer, 'the WHEP viewer of an RTMP stream');
    expect(stats.width).toBe(640);
    expect(stats.height).toBe(360);
    // the clip's 440 Hz tone, transcoded AAC → Opus by ffmpeg
    await waitFor(async () => (await playerStats(viewer)).audioEnergy > 0, 'audio energy at the viewer', 10_000);
    if (transport !== 'werift') {
      // sender reports for both tracks (the player maps RTP time to wall time from them), and the
      // round trip from the player's receiver reports that answer them
      await waitFor(async () => {
        const reports = (await viewer.evaluate(`(async () => { const r = []; (await window.zenlivePlayer.getStats()).forEach((s) => { if (s.type === 'remote-outbound-rtp') r.push([s.kind, s.packetsSent, s.reportsSent]); }); return r; })()`)) as [string, number, number][];
        return ['video', 'audio'].every((k) => reports.some(([kind, sent, count]) => kind === k && sent > 0 && count > 0));
      }, 'sender reports for video and audio at the player', 10_000);
      const n = node;
      await waitFor(async () => {
        const { items } = (await (await fetch(`${n.base}/api/v1/webrtc/sessions`)).json()) as { items: { kind: string; tracks: { video: { rttMs: number | null } | null } }[] };
        return (items.find((i) => i.kind === 'whep')?.tracks.video?.rttMs ?? null) !== null;
      }, 'a round trip from the player\'s receiver reports', 10_000);
    }
  });

  it.each(['werift', 'direct'] as const)('a WHEP viewer on the %s transport restarts ICE by PATCH and keeps playing on the new ICE session', async (transport) => {
    node = await startNode(transport);
    await publishRtmp(node, 'restart');
    const { page: viewer, location } = await playWhep(node, 'restart');
    await expectDecoding(viewer, 'the direct viewer before the restart');
    const restarted = (await viewer.evaluate(`(${WHEP_RESTART_ICE})(${JSON.stringify(`${node.base}${location}`)})`)) as { status: number; body?: string; etag?: string; ufrag?: string };
    expect(restarted.status, restarted.body).toBe(200);
    expect(restarted.etag).toBe(`"${restarted.ufrag ?? ''}"`);
    // media goes on over the new session: frames keep coming after the restart
    const before = (await playerStats(viewer)).framesDecoded;
    const n = node;
    await waitFor(async () => (await playerStats(viewer)).framesDecoded > before + 30, 'frames after the ICE restart', 15_000).catch(async (err: unknown) => {
      // what each side saw, for a failure that shows only on a loaded machine
      const pairs = await viewer.evaluate(`(async () => { const r = []; (await window.zenlivePlayer.getStats()).forEach((s) => { if (s.type === 'candidate-pair') r.push([s.state, s.nominated, s.packetsReceived]); if (s.type === 'inbound-rtp') r.push([s.kind, s.packetsReceived, s.framesDecoded, s.pliCount]); }); return r; })()`);
      const sessions = await (await fetch(`${n.base}/api/v1/webrtc/sessions`)).json();
      throw new Error(JSON.stringify({ restarted, pairs, sessions }), { cause: err });
    });
    expect((await playerStats(viewer)).state).toBe('connected');
  });

  it('WHEP viewers spread over two worker processes: each plays video and audio, both are counted on the stream, DELETE ends one, a dead worker ends only its viewer', async () => {
    node = await startNode('native', 2);
    const n = node;
    await publishRtmp(n, 'spread');
    const both = [await playWhep(n, 'spread'), await playWhep(n, 'spread')];
    const viewers = both.map((p) => p.page);
    const locations = both.map((p) => p.location);
    for (const viewer of viewers) {
      const stats = await expectDecoding(viewer, 'a WHEP viewer in a worker');
      expect([stats.width, stats.height]).toEqual([640, 360]);
      await waitFor(async () => (await playerStats(viewer)).audioEnergy > 0, 'audio energy at the viewer', 10_000);
    }
    // counted on the real stream, one per viewer; the sessions API knows which worker holds each
    await waitFor(() => n.registry.get('spread')?.viewerCounts().webrtc === 2, 'two WebRTC viewers counted on the stream', 10_000);
    await waitFor(async () => {
      const body = (await (await fetch(`${n.base}/api/v1/webrtc/sessions`)).json()) as { items: { kind: string; worker?: number; state: string; tracks: { video: { packetsSent?: number } | null } }[]; delivery: { worker?: number; count: number }[] };
      const whep = body.items.filter((i) => i.kind === 'whep');
      return whep.length === 2 && new Set(whep.map((i) => i.worker)).size === 2 && whep.every((i) => (i.tracks.video?.packetsSent ?? 0) > 50) && body.delivery.filter((d) => d.count > 0).length === 2;
    }, 'both viewers in the sessions API, one per worker, with packets and hand-off times', 10_000);
    const del = await fetch(`${n.base}${locations[0] as string}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    await waitFor(() => n.registry.get('spread')?.viewerCounts().webrtc === 1, 'the deleted viewer to leave the count', 10_000);
    // the other one plays on
    const before = (await playerStats(viewers[1] as Page)).framesDecoded;
    await waitFor(async () => (await playerStats(viewers[1] as Page)).framesDecoded > before + 15, 'the remaining viewer to keep decoding', 10_000);

    // Its worker dies: the viewer's session ends and leaves the count; a new viewer plays again.
    const sessions = (await (await fetch(`${n.base}/api/v1/webrtc/sessions`)).json()) as { items: { kind: string; worker?: number }[] };
    const worker = sessions.items.find((i) => i.kind === 'whep')?.worker as number;
    const pids = childProcesses('viewer-worker');
    expect(pids).toHaveLength(2);
    process.kill(pids[worker] as number, 'SIGKILL');
    await waitFor(() => n.registry.get('spread')?.viewerCounts().webrtc === 0, 'the dead worker\'s viewer to leave the count', 10_000);
    await waitFor(async () => ((await (await fetch(`${n.base}/api/v1/webrtc/sessions`)).json()) as { items: unknown[] }).items.length === 0, 'its session to end', 10_000);
    const again = await openPage(n);
    const played = (await again.evaluate(`(${WHEP_PLAY})(${JSON.stringify(`${n.base}/whep/spread`)})`)) as { status: number; body?: string };
    expect(played.status, played.body).toBe(201);
    await expectDecoding(again, 'a new viewer after a worker died');
  });

  it('a WHEP viewer on the direct transport held by a viewer worker plays video and audio, restarts ICE there, and is counted on the stream', async () => {
    node = await startNode('direct', 1);
    const n = node;
    await publishRtmp(n, 'directw');
    const { page: viewer, location } = await playWhep(n, 'directw');
    await expectDecoding(viewer, 'a direct WHEP viewer in a worker');
    await waitFor(async () => (await playerStats(viewer)).audioEnergy > 0, 'audio energy at the viewer', 10_000);
    await waitFor(() => n.registry.get('directw')?.viewerCounts().webrtc === 1, 'the viewer counted on the stream', 10_000);
    await waitFor(async () => {
      const body = (await (await fetch(`${n.base}/api/v1/webrtc/sessions`)).json()) as { items: { kind: string; worker?: number; tracks: { video: { packetsSent?: number } | null } }[] };
      return body.items.some((i) => i.kind === 'whep' && i.worker === 0 && (i.tracks.video?.packetsSent ?? 0) > 50);
    }, 'the viewer in the sessions API, in worker 0, with packets', 10_000);
    // the PATCH goes to the worker, whose werift peer restarts ICE; the native sender follows the new pair
    const restarted = (await viewer.evaluate(`(${WHEP_RESTART_ICE})(${JSON.stringify(`${n.base}${location}`)})`)) as { status: number; body?: string };
    expect(restarted.status, restarted.body).toBe(200);
    const before = (await playerStats(viewer)).framesDecoded;
    await waitFor(async () => (await playerStats(viewer)).framesDecoded > before + 30, 'frames after the ICE restart in the worker', 15_000);
  });

  it('a viewer worker that stops reading its frames is killed within seconds and replaced; the server does not queue for it without end', async () => {
    node = await startNode('native', 1);
    const n = node;
    await publishRtmp(n, 'stall');
    const { page: viewer } = await playWhep(n, 'stall');
    await expectDecoding(viewer, 'the WHEP viewer in a worker');
    const [stuck] = childProcesses('viewer-worker');
    expect(stuck).toBeDefined();
    process.kill(stuck as number, 'SIGSTOP');
    try {
      await waitFor(() => !childProcesses('viewer-worker').includes(stuck as number), 'the stuck worker to be killed', 30_000);
    } finally {
      try {
        process.kill(stuck as number, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await waitFor(() => n.registry.get('stall')?.viewerCounts().webrtc === 0, 'its viewer to leave the count', 10_000);
    await waitFor(() => childProcesses('viewer-worker').length === 1, 'a new worker in its slot', 10_000);
    expect(n.registry.get('stall')?.state).toBe('LIVE');
  }, 90_000);

  it.each(['native', 'direct'] as const)('a WHEP viewer on the %s transport behind a lossy path gets lost packets again on its NACKs and keeps playing', async (transport) => {
    node = await startNode(transport);
    const n = node;
    await publishRtmp(n, 'lossy');
    const viewer = await openPage(n);
    await viewer.exposeFunction('zlMakeRelay', async () => {
      relay = await startUdpRelay();
      relay.setLoss(25); // 4 % of the RTP packets toward the viewer
      return { towardServer: relay.towardServer, towardBrowser: relay.towardBrowser };
    });
    await viewer.exposeFunction('zlRelayServer', async (port: number) => relay?.setServerPort(port));
    const played = (await viewer.evaluate(`(${WHEP_PLAY_VIA_RELAY})(${JSON.stringify(`${n.base}/whep/lossy`)})`)) as { status: number; body?: string };
    expect(played.status, played.body).toBe(201);
    await expectDecoding(viewer, 'the viewer behind a lossy path');
    const resent = async (): Promise<number> => {
      const { items } = (await (await fetch(`${n.base}/api/v1/webrtc/sessions`)).json()) as { items: { kind: string; tracks: { video: { packetsResent?: number } | null } }[] };
      return items.find((i) => i.kind === 'whep')?.tracks.video?.packetsResent ?? 0;
    };
    await waitFor(async () => (relay?.dropped ?? 0) > 100 && (await resent()) > 50, 'NACKed packets to be sent again', 20_000);
    const inbound = (await viewer.evaluate(`(async () => { let r; (await window.zenlivePlayer.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') r = { nacks: s.nackCount, lost: s.packetsLost, received: s.packetsReceived, frames: s.framesDecoded, freeze: s.totalFreezesDuration, rtx: s.retransmittedPacketsReceived }; }); return r; })()`)) as { nacks: number; lost: number; received: number; frames: number; freeze: number; rtx: number };
    expect(inbound.nacks).toBeGreaterThan(50);
    const dropped = relay?.dropped ?? 0;
    // native: Chromium offers RTX, so what was dropped came again on it (RFC 4588): it counts those
    // apart (packetsLost keeps them), so most of the drops show up as retransmissions received;
    // direct resends on the media SSRC, so what came again is no longer counted lost
    if (transport === 'native') expect(inbound.rtx).toBeGreaterThan(dropped / 2);
    else expect(inbound.lost).toBeLessThan(dropped / 2);
    expect(inbound.freeze ?? 0).toBeLessThan(1);
  });

  it('a Chromium WHIP publisher plays to a WHEP viewer held by a viewer worker, its Opus relayed untouched (no transcoding in the worker)', async () => {
    node = await startNode('native', 1);
    const publisher = await openPage(node);
    const published = (await publisher.evaluate(`(${WHIP_PUBLISH})(${JSON.stringify(`${node.base}/whip/cam2`)})`)) as { status: number; body?: string };
    expect(published.status, published.body).toBe(201);
    const n = node;
    await waitFor(() => n.registry.get('cam2')?.video !== undefined && n.registry.get('cam2')?.audio !== undefined, 'the WHIP stream to go live with video and audio', 20_000);
    const viewer = await openPage(node);
    const played = (await viewer.evaluate(`(${WHEP_PLAY})(${JSON.stringify(`${n.base}/whep/cam2`)})`)) as { status: number; body?: string };
    expect(played.status, played.body).toBe(201);
    await expectDecoding(viewer, 'the WHEP viewer in a worker');
    await waitFor(async () => (await playerStats(viewer)).audioEnergy > 0, 'audio energy at the viewer', 15_000);
    const { items } = (await (await fetch(`${n.base}/api/v1/webrtc/sessions`)).json()) as { items: { kind: string; worker?: number }[] };
    expect(items.find((i) => i.kind === 'whep')?.worker).toBe(0);
    expect(items.find((i) => i.kind === 'whip')?.worker).toBeUndefined();
    const [worker] = childProcesses('viewer-worker');
    expect(worker).toBeDefined();
    expect(childProcesses('ffmpeg', worker)).toEqual([]);
  });

  it('an RTMP stream with B-frames plays over WHEP from a copy re-encoded without them, stopped when the viewer leaves', async () => {
    node = await startNode();
    const clip = await makeClip({ bframes: true, width: 640, height: 360 });
    ffmpeg = publishClip(clip, `rtmp://127.0.0.1:${node.rtmp.port}/live/bframes`, 60);
    const n = node;
    await waitFor(() => n.registry.get('bframes')?.state === 'LIVE' && n.registry.get('bframes')?.startupFrames().some((f) => f.kind === 'video' && !f.config && f.pts !== f.dts) === true, 'the RTMP stream with B-frames to go live', 15_000);
    const viewer = await openPage(node);
    const played = (await viewer.evaluate(`(${WHEP_PLAY})(${JSON.stringify(`${node.base}/whep/bframes`)})`)) as { status: number; body?: string; location?: string };
    expect(played.status, played.body).toBe(201);
    const stats = await expectDecoding(viewer, 'the WHEP viewer of a B-frame stream');
    expect([stats.width, stats.height]).toEqual([640, 360]);
    // frames arrive in presentation order: no frame is dropped as late by the decoder's jitter buffer
    const dropped = (await viewer.evaluate(`(async () => { let d = 0; (await window.zenlivePlayer.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') d = s.framesDropped || 0; }); return d; })()`)) as number;
    expect(dropped).toBeLessThan(5);
    await waitFor(async () => (await playerStats(viewer)).audioEnergy > 0, 'audio energy at the viewer', 10_000);
    expect(n.webrtc.reencodedStreams).toEqual(['bframes']);
    await fetch(`${node.base}${played.location as string}`, { method: 'DELETE' });
    await waitFor(() => n.webrtc.reencodedStreams.length === 0, 'the re-encoding ffmpeg to stop after the last viewer left', 10_000);
  });
});
