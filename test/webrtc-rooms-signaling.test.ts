import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import WebSocket from 'ws';
import { UserDirectory } from '../src/auth/index.js';
import { childProcesses } from './helpers/processes.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

interface Frame {
  type: string;
  code?: string;
  ref?: string;
  [key: string]: unknown;
}

/** A signaling client on `/ws/rtc` that keeps every frame it got and can wait for one. */
class Signal {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  closed: { code: number; reason: string } | undefined;
  private n = 0;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (d) => this.frames.push(JSON.parse(String(d)) as Frame));
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  async open(): Promise<this> {
    if (this.ws.readyState !== WebSocket.OPEN) await new Promise((r, j) => this.ws.once('open', r).once('error', j));
    return this;
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Sends a v1 frame and resolves with the answer carrying its ref. */
  async request(frame: Record<string, unknown>): Promise<Frame> {
    const ref = `r${++this.n}`;
    this.ws.send(JSON.stringify({ v: 1, ...frame, ref }));
    let found: Frame | undefined;
    await waitFor(() => (found = this.frames.find((f) => f.ref === ref)) !== undefined || this.closed !== undefined, `an answer to ${String(frame.type)}`, 10_000);
    if (found === undefined) throw new Error(`socket closed: ${JSON.stringify(this.closed)}`);
    return found;
  }

  async next(type: string, match: (f: Frame) => boolean = () => true): Promise<Frame> {
    let found: Frame | undefined;
    await waitFor(() => (found = this.frames.find((f) => f.type === type && match(f))) !== undefined, `a ${type} frame`, 10_000);
    return found as Frame;
  }

  close(): void {
    this.ws.close();
  }
}

/** A real SDP offer to publish VP8 video, made by werift as a publisher would. */
async function vp8Offer(): Promise<{ pc: RTCPeerConnection; sdp: string }> {
  const pc = new RTCPeerConnection({ codecs: { video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: 96 })], audio: [] }, iceAdditionalHostAddresses: ['127.0.0.1'] });
  pc.addTransceiver('video', { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  return { pc, sdp: pc.localDescription?.sdp ?? '' };
}

// Every case runs with rooms on the main thread and with rooms spread over two worker threads.
describe.each([0, 2])('room signaling on /ws/rtc (room_workers %i)', (roomWorkers) => {
  let server: TestServer;
  const clients: Signal[] = [];
  const peers: RTCPeerConnection[] = [];

  beforeAll(async () => {
    server = await startTestServer({ streaming: { enable_webrtc: true, webrtc: { bind_address: '127.0.0.1', room_max_participants: 2, room_workers: roomWorkers } } });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const p of peers.splice(0)) await p.close();
  });

  afterAll(async () => {
    await server?.stop();
  });

  const connect = async (query = ''): Promise<Signal> => {
    const c = new Signal(`${server.httpUrl('/ws/rtc').replace('http', 'ws')}${query}`);
    clients.push(c);
    return c.open();
  };

  it('refuses bad frames and out-of-order requests with a code and the field, and keeps the connection', async () => {
    const c = await connect();
    c.sendRaw('not json');
    await c.next('error', (f) => f.code === 'ROOM_BAD_FRAME' && String(f.message).includes('JSON'));
    expect((await c.request({ type: 'join', room: 'bad room!' })).message).toMatch(/^room:/);
    expect((await c.request({ type: 'subscribe' })).message).toMatch(/^participant:/);
    expect((await c.request({ type: 'publish', sdp: 'v=0' })).code).toBe('ROOM_NOT_JOINED');
    expect((await c.request({ type: 'join', room: 'r1' })).type).toBe('joined');
    expect((await c.request({ type: 'join', room: 'r1' })).code).toBe('ROOM_ALREADY_JOINED');
    expect((await c.request({ type: 'subscribe', participant: 'nobody' })).code).toBe('ROOM_PARTICIPANT_NOT_FOUND');
    expect((await c.request({ type: 'answer', subscription: 'nope', sdp: 'v=0' })).code).toBe('ROOM_SUBSCRIPTION_NOT_FOUND');
    expect((await c.request({ type: 'publish', sdp: 'v=0\r\nnonsense' })).code).toBe('ROOM_BAD_SDP');
    // after all that the connection still works
    expect((await c.request({ type: 'mute', kind: 'audio', muted: true })).type).toBe('ack');
    expect(c.closed).toBeUndefined();
  });

  it('closes a connection after repeated bad frames, without disturbing others in the room', async () => {
    const good = await connect();
    const goodJoined = await good.request({ type: 'join', room: 'r2' });
    const bad = await connect();
    const badJoined = await bad.request({ type: 'join', room: 'r2' });
    await good.next('participantJoined');
    for (let i = 0; i < 5; i++) bad.sendRaw('{');
    await waitFor(() => bad.closed !== undefined, 'the bad connection to close');
    expect(bad.closed?.code).toBe(1008);
    // the other participant sees it leave and carries on
    await good.next('participantLeft', (f) => f.participantId === (badJoined.participant as { id: string }).id);
    expect((await good.request({ type: 'mute', kind: 'video', muted: false })).type).toBe('ack');
    expect(goodJoined.participants).toEqual([]);
  });

  it('tells subscribers who publishes, refuses subscribing to someone who publishes nothing, and offers a peer for someone who does', async () => {
    const a = await connect();
    const b = await connect();
    const aJoined = await a.request({ type: 'join', room: 'r3', name: 'alice' });
    const aId = (aJoined.participant as { id: string }).id;
    await b.request({ type: 'join', room: 'r3', name: 'bob' });
    expect((await b.request({ type: 'subscribe', participant: aId })).code).toBe('ROOM_NOTHING_PUBLISHED');
    const { pc, sdp } = await vp8Offer();
    peers.push(pc);
    const answer = await a.request({ type: 'publish', sdp });
    expect(answer.type).toBe('publishAnswer');
    expect(String(answer.sdp)).toMatch(/a=rtpmap:96 VP8\/90000/);
    const offer = await b.request({ type: 'subscribe', participant: aId });
    expect(offer.type).toBe('subscribeOffer');
    expect(String(offer.sdp)).toMatch(/m=video/);
    expect(String(offer.sdp)).toMatch(/a=sendonly/);
    // the room is full at two
    const c = await connect();
    expect((await c.request({ type: 'join', room: 'r3' })).code).toBe('ROOM_FULL');
    // unsubscribe ends the subscription; a second time it is unknown
    expect((await b.request({ type: 'unsubscribe', subscription: offer.subscription })).type).toBe('ack');
    expect((await b.request({ type: 'unsubscribe', subscription: offer.subscription })).code).toBe('ROOM_SUBSCRIPTION_NOT_FOUND');
  });
});

describe('room workers', () => {
  let server: TestServer;
  const clients: Signal[] = [];

  beforeAll(async () => {
    server = await startTestServer({ streaming: { enable_webrtc: true, webrtc: { bind_address: '127.0.0.1', room_workers: 2 } } });
  });

  afterAll(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.stop();
  });

  const connect = async (): Promise<Signal> => {
    const c = new Signal(server.httpUrl('/ws/rtc').replace('http', 'ws'));
    clients.push(c);
    return c.open();
  };

  it('a room worker that dies: its participants are told to join again, a new worker takes over, other rooms go on', async () => {
    const a = await connect();
    const b = await connect();
    expect((await a.request({ type: 'join', room: 'doomed' })).type).toBe('joined');
    expect((await b.request({ type: 'join', room: 'spared' })).type).toBe('joined');
    const rooms = (await (await fetch(server.httpUrl('/api/v1/rooms'))).json()) as { items: { id: string; worker: number }[] };
    const doomedWorker = rooms.items.find((r) => r.id === 'doomed')?.worker;
    expect(rooms.items.find((r) => r.id === 'spared')?.worker).not.toBe(doomedWorker);
    // Our room workers in start order, so index = worker number.
    const workers = childProcesses('room-worker');
    expect(workers).toHaveLength(2);
    process.kill(workers[doomedWorker as number] as number, 'SIGKILL');
    await a.next('error', (f) => f.code === 'ROOM_INTERNAL' && String(f.message).includes('join again'));
    // The other room never noticed.
    expect((await b.request({ type: 'mute', kind: 'audio', muted: true })).type).toBe('ack');
    expect(b.frames.some((f) => f.type === 'error')).toBe(false);
    // Joining again works once the worker is replaced (a second or so).
    await waitFor(async () => (await a.request({ type: 'join', room: 'doomed' })).type === 'joined', 'joining again', 10_000);
  });

});

describe.each([0, 2])('room signaling with auth on: tokens and grants (room_workers %i)', (roomWorkers) => {
  let server: TestServer;
  let adminToken: string;
  const clients: Signal[] = [];

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenlive-rooms-auth-'));
    const users = await UserDirectory.open(join(dir, 'users.json'));
    await users.create({ username: 'root', password: 'correct horse battery', role: 'admin' });
    await users.create({ username: 'val', password: 'viewer password 123', role: 'viewer' });
    server = await startTestServer({
      environment: 'production',
      auth: { enabled: true, jwt_secret: 'rooms-test-secret-0123456789abcdefghijklmn', users_file: join(dir, 'users.json') },
      streaming: { enable_webrtc: true, webrtc: { bind_address: '127.0.0.1', room_workers: roomWorkers } },
    });
    adminToken = await login('root', 'correct horse battery');
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function login(username: string, password: string): Promise<string> {
    const res = await fetch(server.httpUrl('/api/v1/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  const connect = async (token?: string): Promise<Signal> => {
    const c = new Signal(`${server.httpUrl('/ws/rtc').replace('http', 'ws')}${token !== undefined ? `?token=${encodeURIComponent(token)}` : ''}`);
    clients.push(c);
    return c.open();
  };

  async function roomToken(room: string, body: Record<string, unknown>, bearer = adminToken): Promise<Response> {
    return fetch(server.httpUrl(`/api/v1/rooms/${room}/token`), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) });
  }

  it('anonymous callers may not join; a bad token closes the socket with 4401', async () => {
    const anon = await connect();
    expect((await anon.request({ type: 'join', room: 'secret' })).code).toBe('ROOM_UNAUTHORIZED');
    const forged = await connect('not.a.token');
    await waitFor(() => forged.closed !== undefined, 'the socket with a bad token to close');
    expect(forged.closed?.code).toBe(4401);
  });

  it('a viewer joins and may subscribe but not publish', async () => {
    const viewer = await connect(await login('val', 'viewer password 123'));
    expect((await viewer.request({ type: 'join', room: 'lobby' })).type).toBe('joined');
    const { pc, sdp } = await vp8Offer();
    try {
      expect((await viewer.request({ type: 'publish', sdp })).code).toBe('ROOM_FORBIDDEN');
    } finally {
      await pc.close();
    }
  });

  it('room tokens minted by the app carry exactly the grants asked for, in that room only', async () => {
    // a viewer may not mint tokens; bad bodies name the field
    expect((await roomToken('call-1', { identity: 'u1' }, await login('val', 'viewer password 123'))).status).toBe(403);
    const bad = await roomToken('call-1', { identity: '', publish: 'yes' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^identity:/);

    const speaker = ((await (await roomToken('call-1', { identity: 'u1', name: 'Una' })).json()) as { token: string }).token;
    const listener = ((await (await roomToken('call-1', { identity: 'u2', publish: false })).json()) as { token: string }).token;
    const s = await connect(speaker);
    const joined = await s.request({ type: 'join', room: 'call-1' });
    expect(joined.type).toBe('joined');
    expect(joined.participant).toMatchObject({ userId: 'u1', name: 'Una' });
    const offer = await vp8Offer();
    try {
      expect((await s.request({ type: 'publish', sdp: offer.sdp })).type).toBe('publishAnswer');
    } finally {
      await offer.pc.close();
    }
    const l = await connect(listener);
    expect((await l.request({ type: 'join', room: 'call-1' })).type).toBe('joined');
    const other = await vp8Offer();
    try {
      expect((await l.request({ type: 'publish', sdp: other.sdp })).code).toBe('ROOM_FORBIDDEN');
    } finally {
      await other.pc.close();
    }
    expect((await l.request({ type: 'subscribe', participant: (joined.participant as { id: string }).id })).type).toBe('subscribeOffer');
    // the same token opens no other room
    const elsewhere = await connect(speaker);
    expect((await elsewhere.request({ type: 'join', room: 'call-2' })).code).toBe('ROOM_FORBIDDEN');
  });
});
