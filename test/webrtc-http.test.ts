import type { FastifyInstance } from 'fastify';
import { createHmac } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCRtpCodecParameters, useH264, useOPUS, useVP8 } from 'werift';
import { silentLogger } from '../src/base/index.js';
import { createHttpApp } from '../src/http/index.js';
import { StreamRegistry, type AuthorizePlay, type AuthorizePublish } from '../src/hub/index.js';
import { registerWebRtcRoutes, WebRtcService, type WebRtcOptions } from '../src/protocols/webrtc/index.js';
import { waitFor } from './helpers/server.js';

interface Node {
  registry: StreamRegistry;
  webrtc: WebRtcService;
  http: FastifyInstance;
  url(path: string): string;
  stop(): Promise<void>;
}

async function startNode(extra: Partial<WebRtcOptions> = {}): Promise<Node> {
  const logger = silentLogger();
  const registry = new StreamRegistry({
    gopCache: { maxFrames: 600, maxBytes: 32 * 1024 * 1024 },
    backpressure: { softLimitBytes: 4 * 1024 * 1024, hardLimitBytes: 16 * 1024 * 1024, maxSkipMs: 10_000 },
  });
  const webrtc = new WebRtcService({ registry, logger, stunServers: [], turnServers: [], bindAddress: '127.0.0.1', ...extra });
  const http = await createHttpApp({ logger, registry, isReady: () => true, corsOrigins: ['*'] });
  registerWebRtcRoutes(http, webrtc);
  await http.listen({ host: '127.0.0.1', port: 0 });
  const address = http.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    registry, webrtc, http,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    async stop() {
      registry.endAll('server-stopping');
      webrtc.close();
      await http.close();
    },
  };
}

/** A real offer from werift as a second peer: sendonly to publish, recvonly to play. */
async function offerFrom(direction: 'sendonly' | 'recvonly', video = useH264()): Promise<{ pc: RTCPeerConnection; sdp: string }> {
  const pc = new RTCPeerConnection({
    codecs: { video: [video], audio: [useOPUS()] },
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
  });
  pc.addTransceiver('video', { direction });
  pc.addTransceiver('audio', { direction });
  await pc.setLocalDescription(await pc.createOffer());
  peers.push(pc);
  return { pc, sdp: pc.localDescription?.sdp ?? '' };
}

const peers: RTCPeerConnection[] = [];

/** `count` consecutive UDP ports on 127.0.0.1 that are free now, found at run time. */
async function freeUdpRange(count: number): Promise<[number, number]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const start = 20_000 + Math.floor(Math.random() * 30_000);
    const sockets: Socket[] = [];
    let ok = true;
    for (let p = start; p < start + count && ok; p++) {
      const s = createSocket('udp4');
      ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.bind(p, '127.0.0.1', () => resolve(true));
      });
      sockets.push(s);
    }
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (ok) return [start, start + count - 1];
  }
  throw new Error('no free UDP port range found');
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp', ...headers }, body });
}

describe('WHIP and WHEP endpoints (RFC 9725 shape) with a werift peer', () => {
  let node: Node | undefined;

  afterEach(async () => {
    for (const pc of peers.splice(0)) await pc.close();
    await node?.stop();
    node = undefined;
  });

  it('POST answers 201 with SDP, Location, ETag and ICE servers in Link headers (TURN credentials signed per coturn REST)', async () => {
    node = await startNode({ stunServers: ['stun:127.0.0.1:3478'], turnServers: [{ urls: ['turn:127.0.0.1:3478?transport=udp'] }], turnSecret: { secret: 's3cret', ttlSeconds: 600 } });
    const { sdp } = await offerFrom('sendonly');
    const res = await post(node.url('/whip/cam'), sdp);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/sdp');
    expect(res.headers.get('location')).toMatch(/^\/whip\/resource\/[0-9a-f-]{36}$/);
    expect(res.headers.get('etag')).toMatch(/^".+"$/);
    const links = res.headers.get('link') ?? '';
    expect(links).toContain('<stun:127.0.0.1:3478>; rel="ice-server"');
    const turn = /<turn:127\.0\.0\.1:3478\?transport=udp>; rel="ice-server"; username="(\d+):cam"; credential="([^"]+)"/.exec(links);
    expect(turn, links).not.toBeNull();
    expect(Number(turn?.[1])).toBeGreaterThan(Date.now() / 1000 + 590);
    expect(turn?.[2]).toBe(createHmac('sha1', 's3cret').update(`${turn?.[1]}:cam`).digest('base64'));
    const answer = await res.text();
    expect(answer).toMatch(/^v=0\r?\n/);
    expect(answer).toMatch(/a=rtpmap:\d+ H264\/90000/i);
    expect(answer).toContain('a=candidate:');
    expect(node.registry.get('cam')?.publisher.protocol).toBe('webrtc');
  });

  it('a second publisher on a live key gets 409; DELETE ends the stream, and DELETE twice or PATCH on it gets 404', async () => {
    node = await startNode();
    const first = await post(node.url('/whip/cam'), (await offerFrom('sendonly')).sdp);
    expect(first.status).toBe(201);
    const second = await post(node.url('/whip/cam'), (await offerFrom('sendonly')).sdp);
    expect(second.status).toBe(409);
    const location = node.url(first.headers.get('location') as string);
    expect((await fetch(location, { method: 'DELETE' })).status).toBe(200);
    const n = node;
    await waitFor(() => n.registry.get('cam') === undefined, 'the stream to end');
    const again = await fetch(location, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('WEBRTC_SESSION_NOT_FOUND');
    const patch = await fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag' }, body: 'a=end-of-candidates\r\n' });
    expect(patch.status).toBe(404);
    expect(n.webrtc.size).toBe(0);
  });

  it('bad SDP is refused with 400 and a message; a wrong content type with 415; nothing is claimed', async () => {
    node = await startNode();
    const bad = await post(node.url('/whip/cam'), 'hello');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('WEBRTC_BAD_SDP');
    expect(body.error.message).toMatch(/v=0/);
    const noFingerprint = await post(node.url('/whip/cam'), 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n');
    expect(noFingerprint.status).toBe(400);
    const json = await fetch(node.url('/whip/cam'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    expect(node.registry.size).toBe(0);
  });

  it('a publisher offering only AV1 video is refused with 406 naming the codecs we take', async () => {
    node = await startNode();
    const res = await post(node.url('/whip/cam'), (await offerFrom('sendonly', new RTCRtpCodecParameters({ mimeType: 'video/AV1', clockRate: 90000 }))).sdp);
    expect(res.status).toBe(406);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/H\.264/);
    expect(node.registry.size).toBe(0);
  });

  it('Bearer auth goes through authorizePublish: no token → 401, a wrong one → 403, a good one maps the key to a stream id', async () => {
    const hook: AuthorizePublish = (key, req) => (req.query['token'] === 'good' && key === 'secret-key' ? { allow: true, streamId: 'public-id' } : { allow: false, reason: 'bad token' });
    node = await startNode({ authorizePublish: hook });
    const { sdp } = await offerFrom('sendonly');
    expect((await post(node.url('/whip/secret-key'), sdp)).status).toBe(401);
    expect((await post(node.url('/whip/secret-key'), sdp, { authorization: 'Bearer wrong' })).status).toBe(403);
    const ok = await post(node.url('/whip/secret-key'), sdp, { authorization: 'Bearer good' });
    expect(ok.status).toBe(201);
    expect(node.registry.get('public-id')).toBeDefined();
    expect(node.registry.get('secret-key')).toBeUndefined();
  });

  it('POST /whip takes the stream key from the Bearer token, as OBS sends it', async () => {
    node = await startNode();
    const { sdp } = await offerFrom('sendonly');
    expect((await post(node.url('/whip'), sdp)).status).toBe(401);
    const ok = await post(node.url('/whip'), sdp, { authorization: 'Bearer obs-stream' });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('location')).toMatch(/^\/whip\/resource\//);
    expect(node.registry.get('obs-stream')).toBeDefined();
  });

  it('peers placed in a configured UDP port range at the same moment each get their own port', async () => {
    const range = await freeUdpRange(16);
    node = await startNode({ udpPortRange: range });
    const n = node;
    const offers = await Promise.all(Array.from({ length: 6 }, () => offerFrom('sendonly')));
    const answers = await Promise.all(offers.map(({ sdp }, i) => post(n.url(`/whip/range-${i}`), sdp)));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const ports = await Promise.all(answers.map(async (r) => Number(/ 127\.0\.0\.1 (\d+) typ host/.exec(await r.text())?.[1])));
    expect(new Set(ports).size).toBe(6);
    for (const p of ports) expect(p >= range[0] && p <= range[1]).toBe(true);
  });

  it('trickle PATCH adds candidates (204); a stale If-Match gets 412; new credentials restart ICE with a new ETag', async () => {
    node = await startNode();
    const res = await post(node.url('/whip/cam'), (await offerFrom('sendonly')).sdp);
    const location = node.url(res.headers.get('location') as string);
    const etag = res.headers.get('etag') as string;
    const frag = 'application/trickle-ice-sdpfrag';
    const candidate = 'a=mid:0\r\na=candidate:1 1 udp 2122194687 127.0.0.1 40000 typ host\r\n';
    expect((await fetch(location, { method: 'PATCH', headers: { 'content-type': frag, 'if-match': etag }, body: candidate })).status).toBe(204);
    expect((await fetch(location, { method: 'PATCH', headers: { 'content-type': frag, 'if-match': '"stale"' }, body: candidate })).status).toBe(412);
    const restart = await fetch(location, { method: 'PATCH', headers: { 'content-type': frag, 'if-match': '*' }, body: 'a=ice-ufrag:Zx9q\r\na=ice-pwd:0123456789abcdefghijklmn\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n' });
    expect(restart.status).toBe(200);
    expect(restart.headers.get('content-type')).toBe(frag);
    const ours = await restart.text();
    expect(ours).toMatch(/a=ice-ufrag:/);
    expect(ours).toMatch(/a=candidate:/);
    expect(restart.headers.get('etag')).not.toBe(etag);
  });

  it('WHEP on the native transport: trickle PATCH adds candidates; an ICE restart is refused with 501 and the session goes on', async () => {
    node = await startNode({ viewerTransport: 'native' });
    node.registry.claim('live1', { protocol: 'rtmp' });
    const res = await post(node.url('/whep/live1'), (await offerFrom('recvonly')).sdp);
    expect(res.status).toBe(201);
    const location = node.url(res.headers.get('location') as string);
    const etag = res.headers.get('etag') as string;
    const frag = 'application/trickle-ice-sdpfrag';
    const candidate = 'a=mid:0\r\na=candidate:1 1 udp 2122194687 127.0.0.1 40000 typ host\r\n';
    expect((await fetch(location, { method: 'PATCH', headers: { 'content-type': frag, 'if-match': etag }, body: candidate })).status).toBe(204);
    const restart = await fetch(location, { method: 'PATCH', headers: { 'content-type': frag, 'if-match': '*' }, body: 'a=ice-ufrag:Zx9q\r\na=ice-pwd:0123456789abcdefghijklmn\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n' });
    expect(restart.status).toBe(501);
    expect(((await restart.json()) as { error: { code: string } }).error.code).toBe('WEBRTC_ICE_RESTART_UNSUPPORTED');
    // the ICE session is the one it was: the same tag still takes candidates
    expect((await fetch(location, { method: 'PATCH', headers: { 'content-type': frag, 'if-match': etag }, body: candidate })).status).toBe(204);
    expect((await fetch(location, { method: 'DELETE' })).status).toBe(200);
  });

  it('WHEP: an unknown stream is 404 for POST and HEAD; HEAD on a live one is 200 with ICE servers', async () => {
    // a TURN server only goes to clients (our agent uses STUN only), so nothing waits on it here
    node = await startNode({ turnServers: [{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'p' }] });
    const { sdp } = await offerFrom('recvonly');
    const missing = await post(node.url('/whep/nope'), sdp);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('WEBRTC_STREAM_NOT_FOUND');
    expect((await fetch(node.url('/whep/nope'), { method: 'HEAD' })).status).toBe(404);
    node.registry.claim('live1', { protocol: 'rtmp' });
    const head = await fetch(node.url('/whep/live1'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('link')).toContain('rel="ice-server"');
    const played = await post(node.url('/whep/live1'), sdp);
    expect(played.status).toBe(201);
    expect(await played.text()).toMatch(/a=sendonly/);
  });

  it('WHEP: playback goes through authorizePlay (403 with its reason)', async () => {
    const authorizePlay: AuthorizePlay = (req) => (req.token === 'viewer-token' ? { allow: true } : { allow: false, status: 403, reason: 'private stream' });
    node = await startNode({ authorizePlay });
    node.registry.claim('private1', { protocol: 'rtmp' });
    const { sdp } = await offerFrom('recvonly');
    const refused = await post(node.url('/whep/private1'), sdp);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe('private stream');
    expect((await post(node.url('/whep/private1?token=viewer-token'), sdp)).status).toBe(201);
  });

  it('WHEP: an offer without H.264 gets 406 with our counter-offer; the player answers it by PATCH', async () => {
    node = await startNode();
    node.registry.claim('live1', { protocol: 'rtmp' });
    const { pc, sdp } = await offerFrom('recvonly', useVP8());
    // the player's audio has Opus, but keep it to video-only to force the refusal
    const videoOnly = sdp.split(/(?=^m=)/m).filter((s) => !s.startsWith('m=audio')).join('').replace(/a=group:BUNDLE .*/, 'a=group:BUNDLE 0');
    const res = await post(node.url('/whep/live1'), videoOnly);
    expect(res.status).toBe(406);
    expect(res.headers.get('content-type')).toBe('application/sdp');
    const counter = await res.text();
    expect(counter).toMatch(/a=rtpmap:102 H264\/90000/);
    expect(counter).toMatch(/packetization-mode=1/);
    const location = node.url(res.headers.get('location') as string);
    await pc.close();
    const player = new RTCPeerConnection({ codecs: { video: [useH264()], audio: [useOPUS()] }, iceInterfaceAddresses: { udp4: '127.0.0.1' }, iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
    peers.push(player);
    await player.setRemoteDescription({ type: 'offer', sdp: counter });
    await player.setLocalDescription(await player.createAnswer());
    const patched = await fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/sdp' }, body: player.localDescription?.sdp ?? '' });
    expect(patched.status).toBe(204);
    await waitFor(() => player.connectionState === 'connected', 'the counter-offered connection to come up', 15_000);
    await waitFor(() => (node?.registry.get('live1')?.viewerCounts().webrtc ?? 0) === 1, 'the viewer to subscribe');
  });
});
