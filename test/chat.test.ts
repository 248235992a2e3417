import { afterEach, describe, expect, it } from 'vitest';
import { startChatNode, type ChatNode } from '../src/chat/testing/chat-node.js';
import { ChatTestClient, type ChatFrameEvent } from '../src/chat/testing/test-client.js';
import type { ChatServiceOptions } from '../src/chat/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let nodes: ChatNode[] = [];
let clients: ChatTestClient[] = [];

async function node(options: Partial<ChatServiceOptions> = {}): Promise<ChatNode> {
  const n = await startChatNode({ rateLimitPerSecond: 1000, ...options });
  nodes.push(n);
  return n;
}

async function client(n: ChatNode, user?: string, room?: string): Promise<ChatTestClient> {
  const c = await ChatTestClient.connect(n.wsUrl, user === undefined ? {} : { token: `${user}-token` });
  clients.push(c);
  if (room !== undefined) await c.join(room);
  return c;
}

const messages = (c: ChatTestClient): ChatFrameEvent[] => c.events.filter((e) => e.type === 'message' || e.type === 'reply');

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(nodes.map((n) => n.close()));
  clients = [];
  nodes = [];
});

describe('chat over WebSocket: posting and receiving', () => {
  it('every client of the room receives every message once, in order, with sortable ids; other rooms get nothing', async () => {
    const n = await node();
    const alice = await client(n, 'alice', 'stream1');
    const bob = await client(n, 'bob', 'stream1');
    const viewer = await client(n, undefined, 'stream1');
    const elsewhere = await client(n, 'carol', 'stream2');
    for (let i = 0; i < 30; i++) alice.send({ type: 'message', room: 'stream1', content: `hello ${i}` });
    await viewer.until((e) => e.content === 'hello 29');
    await bob.until((e) => e.content === 'hello 29');
    for (const c of [alice, bob, viewer]) {
      const got = messages(c);
      expect(got.map((m) => m.content)).toEqual(Array.from({ length: 30 }, (_, i) => `hello ${i}`));
      const ids = got.map((m) => m.id as string);
      expect([...ids].sort()).toEqual(ids);
      expect(got[0]).toMatchObject({ room: 'stream1', user: { id: 'alice', name: 'Alice', badges: [] } });
    }
    await sleep(100);
    expect(messages(elsewhere)).toEqual([]);
    expect(n.events.filter((e) => e.type === 'chatMessage')).toHaveLength(30);
  });

  it('a sender bursting far more frames than are handled at once is slowed down, not dropped: all 500 arrive in order', async () => {
    const n = await node();
    const poster = await client(n, 'alice', 'stream1');
    const viewer = await client(n, undefined, 'stream1');
    // Sent in one turn of the event loop: hundreds of frames wait on the server at once.
    for (let i = 0; i < 500; i++) poster.send({ type: 'message', room: 'stream1', content: `burst ${i}` });
    await viewer.until((e) => e.content === 'burst 499', 20_000);
    expect(messages(viewer).map((m) => m.content)).toEqual(Array.from({ length: 500 }, (_, i) => `burst ${i}`));
    expect(await poster.post('stream1', 'still connected')).toMatchObject({ type: 'ack' });
  });

  it('events of one tick reach each client as ONE frame', async () => {
    // No presence report may fall into the measured tick.
    const n = await node({ presenceIntervalMs: 60_000 });
    const viewer = await client(n, undefined, 'stream1');
    const before = viewer.frames;
    // Published in one turn of the event loop: all ten land in the same tick.
    await Promise.all(Array.from({ length: 10 }, (_, i) => n.api.send('stream1', `batch ${i}`)));
    await viewer.until((e) => e.content === 'batch 9');
    expect(viewer.frames - before).toBe(1);
    expect(messages(viewer).map((m) => m.content)).toEqual(Array.from({ length: 10 }, (_, i) => `batch ${i}`));
    expect(n.service.stats.framesSent).toBe(1);
  });

  it('replies carry what they answer; the broadcaster gets a badge', async () => {
    const n = await node();
    const owner = await client(n, 'owner', 'stream1');
    const bob = await client(n, 'bob', 'stream1');
    const ack = await bob.post('stream1', 'first!');
    const reply = await owner.request({ type: 'reply', room: 'stream1', content: 'welcome', replyTo: ack.id });
    expect(reply.type).toBe('ack');
    const seen = await bob.until((e) => e.type === 'reply');
    expect(seen).toMatchObject({ replyTo: ack.id, content: 'welcome', user: { id: 'owner', badges: ['broadcaster'] } });
  });

  it('content is normalised (NFC, controls stripped) and otherwise sent verbatim; too long is refused', async () => {
    const n = await node({ maxMessageLength: 10 });
    const alice = await client(n, 'alice', 'stream1');
    await alice.post('stream1', ' <b>e\u0301</b>\u0007 ');
    const m = await alice.until((e) => e.type === 'message');
    expect(m.content).toBe('<b>\u00e9</b>');
    expect(await alice.post('stream1', '12345678901')).toMatchObject({ type: 'error', code: 'CHAT_CONTENT_REJECTED', maxMessageLength: 10 });
    expect(await alice.post('stream1', '😀'.repeat(10))).toMatchObject({ type: 'ack' });
    expect(await alice.post('stream1', '   ')).toMatchObject({ type: 'error', code: 'CHAT_CONTENT_REJECTED' });
  });

  it('history on join holds the last N messages when persistence is on, none when off', async () => {
    const withHistory = await node({ historySize: 3 });
    const alice = await client(withHistory, 'alice', 'stream1');
    for (let i = 0; i < 5; i++) await alice.post('stream1', `m${i}`);
    await alice.until((e) => e.content === 'm4');
    const late = await client(withHistory, 'bob');
    const joined = await late.join('stream1');
    expect((joined.history as ChatFrameEvent[]).map((m) => m.content)).toEqual(['m2', 'm3', 'm4']);
    expect((await late.request({ type: 'history', room: 'stream1' })).messages).toHaveLength(3);

    const without = await node({ historySize: 0 });
    const a2 = await client(without, 'alice', 'stream1');
    await a2.post('stream1', 'gone');
    await a2.until((e) => e.content === 'gone');
    const b2 = await client(without, 'bob');
    expect((await b2.join('stream1')).history).toEqual([]);
  });

  it('anonymous viewers read when allowed but never write; a bad token on the URL is refused with 4401', async () => {
    const n = await node();
    const anon = await client(n, undefined, 'stream1');
    expect(await anon.post('stream1', 'hi')).toMatchObject({ type: 'error', code: 'CHAT_AUTH_REQUIRED' });
    const bad = await ChatTestClient.connect(n.wsUrl, { token: 'nobody-token' });
    clients.push(bad);
    expect(await bad.closedWith()).toMatchObject({ code: 4401 });
  });

  it('when anonymous reading is off, joining needs an auth frame first', async () => {
    const n = await node({ allowAnonymousRead: false });
    const c = await client(n);
    expect(await c.request({ type: 'join', room: 'stream1' })).toMatchObject({ type: 'error', code: 'CHAT_AUTH_REQUIRED' });
    expect(await c.request({ type: 'auth', token: 'alice-token' })).toMatchObject({ type: 'ack', user: { id: 'alice' } });
    await c.join('stream1');
    expect(await c.post('stream1', 'now I can')).toMatchObject({ type: 'ack' });
  });

  it('a client must join a room before writing to it', async () => {
    const n = await node();
    const alice = await client(n, 'alice');
    expect(await alice.post('stream1', 'hi')).toMatchObject({ type: 'error', code: 'CHAT_ROOM_INVALID' });
  });
});

describe('chat limits', () => {
  it('rate limit is exact: of 10 back-to-back messages at 5/s, 5 pass and 5 are refused with a retry time', async () => {
    const n = await node({ rateLimitPerSecond: 5 });
    const alice = await client(n, 'alice', 'stream1');
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => alice.post('stream1', `burst ${i}`)));
    expect(answers.filter((a) => a.type === 'ack')).toHaveLength(5);
    const refused = answers.filter((a) => a.type === 'error');
    expect(refused).toHaveLength(5);
    for (const r of refused) {
      expect(r.code).toBe('CHAT_RATE_LIMITED');
      expect(r.retryAfterMs).toBeGreaterThan(0);
      expect(r.retryAfterMs).toBeLessThanOrEqual(200);
    }
    // One token comes back every 200 ms.
    await sleep(Math.max(...refused.map((r) => r.retryAfterMs as number)) + 20);
    expect(await alice.post('stream1', 'after the wait')).toMatchObject({ type: 'ack' });
  });

  it('slow mode is exact per user, and moderators are exempt', async () => {
    const n = await node();
    const mia = await client(n, 'mia', 'stream1');
    const alice = await client(n, 'alice', 'stream1');
    expect(await mia.post('stream1', '/slow 1')).toMatchObject({ type: 'ack' });
    await alice.until((e) => e.type === 'system' && e.action === 'slow' && e.seconds === 1);
    expect(await alice.post('stream1', 'one')).toMatchObject({ type: 'ack' });
    const refused = await alice.post('stream1', 'two');
    expect(refused).toMatchObject({ type: 'error', code: 'CHAT_RATE_LIMITED' });
    // What is left of the second since "one" (how much has passed depends on the machine's load).
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(await mia.post('stream1', 'mods are not slowed')).toMatchObject({ type: 'ack' });
    expect(await mia.post('stream1', 'at all')).toMatchObject({ type: 'ack' });
    await sleep((refused.retryAfterMs as number) + 30);
    expect(await alice.post('stream1', 'two')).toMatchObject({ type: 'ack' });
    expect(await mia.post('stream1', '/slow off')).toMatchObject({ type: 'ack' });
    expect(await alice.post('stream1', 'three')).toMatchObject({ type: 'ack' });
  });

  it('the same message twice in a row from a user is suppressed', async () => {
    const n = await node();
    const alice = await client(n, 'alice', 'stream1');
    expect(await alice.post('stream1', 'spam')).toMatchObject({ type: 'ack' });
    expect(await alice.post('stream1', 'spam')).toMatchObject({ type: 'error', code: 'CHAT_DUPLICATE' });
    expect(await alice.post('stream1', 'not spam')).toMatchObject({ type: 'ack' });
  });

  it('the profanity filter masks look-alike spellings, or rejects them in reject mode', async () => {
    const masking = await node({ profanity: { mode: 'mask', words: ['darn', 'heck'] } });
    const alice = await client(masking, 'alice', 'stream1');
    await alice.post('stream1', 'well d4rn, H3CK and darnation');
    expect((await alice.until((e) => e.type === 'message')).content).toBe('well ****, **** and darnation');

    const rejecting = await node({ profanity: { mode: 'reject', words: ['darn'] } });
    const bob = await client(rejecting, 'bob', 'stream1');
    expect(await bob.post('stream1', 'd@rn')).toMatchObject({ type: 'error', code: 'CHAT_CONTENT_REJECTED' });
    expect(await bob.post('stream1', 'fine')).toMatchObject({ type: 'ack' });
  });

  it('blocked terms apply to their room only, and viewers are not told the term', async () => {
    const n = await node();
    const owner = await client(n, 'owner', 'stream1');
    const alice = await client(n, 'alice', 'stream1');
    await alice.join('stream2');
    expect(await owner.post('stream1', '/block spoiler')).toMatchObject({ type: 'ack' });
    const notice = await alice.until((e) => e.type === 'system' && e.action === 'blockTerm');
    expect(notice.term).toBeUndefined();
    expect(await alice.post('stream1', 'huge SP0ILER ahead')).toMatchObject({ type: 'error', code: 'CHAT_CONTENT_REJECTED' });
    expect(await alice.post('stream2', 'huge spoiler ahead')).toMatchObject({ type: 'ack' });
    expect(await owner.post('stream1', '/unblock spoiler')).toMatchObject({ type: 'ack' });
    expect(await alice.post('stream1', 'huge spoiler ahead')).toMatchObject({ type: 'ack' });
  });

  it('emote-only and unique-message modes', async () => {
    const n = await node();
    const mia = await client(n, 'mia', 'stream1');
    const alice = await client(n, 'alice', 'stream1');
    const bob = await client(n, 'bob', 'stream1');
    await mia.post('stream1', '/emoteonly on');
    expect(await alice.post('stream1', 'words')).toMatchObject({ type: 'error', code: 'CHAT_CONTENT_REJECTED' });
    expect(await alice.post('stream1', ':kappa: 😀')).toMatchObject({ type: 'ack' });
    await mia.post('stream1', '/emoteonly off');
    await mia.post('stream1', '/unique on');
    expect(await alice.post('stream1', 'First')).toMatchObject({ type: 'ack' });
    await bob.until((e) => e.content === 'First');
    expect(await bob.post('stream1', 'first')).toMatchObject({ type: 'error', code: 'CHAT_DUPLICATE' });
    expect(await bob.post('stream1', 'second')).toMatchObject({ type: 'ack' });
  });
});

describe('chat moderation', () => {
  it('viewers cannot moderate; a moderator times out, mutes and unmutes, each broadcast, audited and emitted', async () => {
    const n = await node();
    const mia = await client(n, 'mia', 'stream1');
    const alice = await client(n, 'alice', 'stream1');
    const bob = await client(n, 'bob', 'stream1');
    expect(await bob.post('stream1', '/timeout alice 5')).toMatchObject({ type: 'error', code: 'CHAT_FORBIDDEN' });
    expect(await bob.request({ type: 'clear', room: 'stream1' })).toMatchObject({ type: 'error', code: 'CHAT_FORBIDDEN' });

    expect(await mia.post('stream1', '/timeout alice 1')).toMatchObject({ type: 'ack' });
    expect(await bob.until((e) => e.type === 'system' && e.action === 'timeout')).toMatchObject({ userId: 'alice', durationSeconds: 1, by: { id: 'mia' } });
    expect(await alice.post('stream1', 'can I?')).toMatchObject({ type: 'error', code: 'CHAT_MUTED' });
    await sleep(1100);
    expect(await alice.post('stream1', 'back')).toMatchObject({ type: 'ack' });

    await mia.post('stream1', '/mute alice');
    expect(await alice.post('stream1', 'muted?')).toMatchObject({ type: 'error', code: 'CHAT_MUTED' });
    await mia.post('stream1', '/unmute alice');
    expect(await alice.post('stream1', 'free')).toMatchObject({ type: 'ack' });

    expect(n.audit.map((a) => a.type)).toEqual(['chat.timeout', 'chat.mute', 'chat.unmute']);
    expect(n.audit[0]).toMatchObject({ actor: 'mia', target: 'alice', data: { room: 'stream1', actorRole: 'moderator', action: { kind: 'timeout', durationSeconds: 1 } } });
    expect(n.events.filter((e) => e.type === 'chatModeration').map((e) => (e.type === 'chatModeration' ? e.record.actor.id : ''))).toEqual(['mia', 'mia', 'mia']);
  });

  it('a room ban removes the user from the room and keeps them out until unbanned', async () => {
    const n = await node();
    const owner = await client(n, 'owner', 'stream1');
    const alice = await client(n, 'alice', 'stream1');
    await alice.join('stream2');
    expect(await owner.post('stream1', '/ban alice rude')).toMatchObject({ type: 'ack' });
    expect(await alice.until((e) => e.type === 'system' && e.action === 'ban')).toMatchObject({ userId: 'alice', reason: 'rude' });
    expect(await alice.post('stream1', 'hello?')).toMatchObject({ type: 'error', code: 'CHAT_ROOM_INVALID' });
    expect(await alice.request({ type: 'join', room: 'stream1' })).toMatchObject({ type: 'error', code: 'CHAT_BANNED' });
    expect(await alice.post('stream2', 'still fine here')).toMatchObject({ type: 'ack' });
    await owner.post('stream1', '/unban alice');
    await alice.join('stream1');
    expect(await alice.post('stream1', 'back')).toMatchObject({ type: 'ack' });
  });

  it('a global ban by a global moderator disconnects the user everywhere; a broadcaster cannot ban globally', async () => {
    const n = await node();
    const owner = await client(n, 'owner', 'stream1');
    const mia = await client(n, 'mia', 'stream1');
    const alice = await client(n, 'alice', 'stream1');
    expect(await owner.post('stream1', '/gban alice')).toMatchObject({ type: 'error', code: 'CHAT_FORBIDDEN' });
    expect(await mia.post('stream1', '/gban alice')).toMatchObject({ type: 'ack' });
    expect(await alice.closedWith()).toMatchObject({ code: 4403 });
    const again = await client(n, 'alice');
    expect(await again.request({ type: 'join', room: 'stream9' })).toMatchObject({ type: 'error', code: 'CHAT_BANNED' });
    await mia.post('stream1', '/gunban alice');
    await again.join('stream9');
  });

  it('delete one message, purge a user, clear the room: clients are told and history forgets', async () => {
    const n = await node({ historySize: 50 });
    const mia = await client(n, 'mia', 'stream1');
    const alice = await client(n, 'alice', 'stream1');
    const bob = await client(n, 'bob', 'stream1');
    const a1 = await alice.post('stream1', 'a1');
    await alice.post('stream1', 'a2');
    await bob.post('stream1', 'b1');
    await mia.until((e) => e.content === 'b1');
    expect(await mia.post('stream1', `/delete ${String(a1.id)}`)).toMatchObject({ type: 'ack' });
    expect(await bob.until((e) => e.type === 'delete')).toMatchObject({ ids: [a1.id], by: { id: 'mia' } });
    expect(n.api.history('stream1').map((m) => m.content)).toEqual(['a2', 'b1']);
    await mia.post('stream1', '/purge alice');
    await bob.until((e) => e.type === 'delete' && e.userId === 'alice');
    expect(n.api.history('stream1').map((m) => m.content)).toEqual(['b1']);
    expect(await mia.request({ type: 'clear', room: 'stream1' })).toMatchObject({ type: 'ack' });
    await bob.until((e) => e.type === 'clear');
    expect(n.api.history('stream1')).toEqual([]);
    // A viewer may not delete someone else's message.
    const b2 = await bob.post('stream1', 'b2');
    expect(await alice.request({ type: 'delete', room: 'stream1', id: b2.id })).toMatchObject({ type: 'error', code: 'CHAT_FORBIDDEN' });
  });

  it('the broadcaster appoints room moderators; they act below their rank only', async () => {
    const n = await node();
    const owner = await client(n, 'owner', 'stream1');
    const bob = await client(n, 'bob', 'stream1');
    const carol = await client(n, 'carol', 'stream1');
    expect(await bob.post('stream1', '/mod bob')).toMatchObject({ type: 'error', code: 'CHAT_FORBIDDEN' });
    expect(await owner.post('stream1', '/mod bob')).toMatchObject({ type: 'ack' });
    expect(await bob.post('stream1', '/timeout carol 30')).toMatchObject({ type: 'ack' });
    expect(await bob.post('stream1', '/ban owner')).toMatchObject({ type: 'error', code: 'CHAT_FORBIDDEN' });
    expect(await bob.post('stream1', '/mod carol')).toMatchObject({ type: 'error', code: 'CHAT_FORBIDDEN' });
    expect(await bob.post('stream1', '/ban bob')).toMatchObject({ type: 'error', code: 'CHAT_BAD_COMMAND' });
    await owner.post('stream1', '/mod carol');
    expect(await bob.post('stream1', '/untimeout carol')).toMatchObject({ type: 'error', code: 'CHAT_FORBIDDEN' });
    expect(await owner.post('stream1', '/unmod bob')).toMatchObject({ type: 'ack' });
    expect(await bob.post('stream1', '/slow 3')).toMatchObject({ type: 'error', code: 'CHAT_FORBIDDEN' });
    // A room grant from the app's auth makes a room moderator too.
    const granted = await client(n, 'granted', 'stream1');
    expect(await granted.post('stream1', '/slow 3')).toMatchObject({ type: 'ack' });
    expect(await granted.post('stream1', '/emoteonly on')).toMatchObject({ type: 'ack' });
    expect(await carol.post('stream1', 'hi')).toMatchObject({ type: 'error', code: 'CHAT_MUTED' });
  });

  it('an unknown command gets its usage back and is not broadcast', async () => {
    const n = await node();
    const mia = await client(n, 'mia', 'stream1');
    const bob = await client(n, 'bob', 'stream1');
    expect(await mia.post('stream1', '/dance')).toMatchObject({ type: 'error', code: 'CHAT_BAD_COMMAND' });
    expect(await mia.post('stream1', '/timeout bob')).toMatchObject({ type: 'error', code: 'CHAT_BAD_COMMAND' });
    await sleep(80);
    expect(bob.of('system')).toEqual([]);
  });
});

describe('chat robustness', () => {
  it('malformed JSON gets an error frame, a repeat closes the connection; the server and others carry on', async () => {
    const n = await node();
    const bad = await client(n, 'alice', 'stream1');
    const good = await client(n, 'bob', 'stream1');
    bad.sendRaw('{not json');
    expect(await bad.until((e) => e.type === 'error')).toMatchObject({ code: 'CHAT_BAD_FRAME' });
    expect(bad.closed).toBeUndefined();
    bad.sendRaw('{"v":1,"type":"explode"}');
    expect(await bad.closedWith()).toMatchObject({ code: 1008 });
    expect(await good.post('stream1', 'still here')).toMatchObject({ type: 'ack' });
    await good.until((e) => e.content === 'still here');
    expect(n.service.stats.badFrames).toBe(2);
  });

  it('an oversized frame gets an error frame, a repeat closes with 1009; binary frames are refused', async () => {
    const n = await node({ maxFrameBytes: 1024 });
    const big = await client(n, 'alice', 'stream1');
    const good = await client(n, 'bob', 'stream1');
    big.send({ type: 'message', room: 'stream1', content: 'x'.repeat(2000) });
    expect(await big.until((e) => e.type === 'error')).toMatchObject({ code: 'CHAT_FRAME_TOO_LARGE', limit: 1024 });
    big.send({ type: 'message', room: 'stream1', content: 'y'.repeat(2000) });
    expect(await big.closedWith()).toMatchObject({ code: 1009 });
    const binary = await client(n, 'carol', 'stream1');
    binary.sendRaw(Buffer.from([1, 2, 3]));
    expect(await binary.until((e) => e.type === 'error')).toMatchObject({ code: 'CHAT_BAD_FRAME' });
    expect(await good.post('stream1', 'fine')).toMatchObject({ type: 'ack' });
  });

  it('a client that stops reading is disconnected once its send buffer passes the bound; readers get everything', async () => {
    const n = await node({ slowClientBufferBytes: 64 * 1024 });
    const stuck = await client(n, 'alice', 'stream1');
    const reader = await client(n, 'bob', 'stream1');
    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    // Loopback kernel buffers absorb megabytes before our bound is even reached: post until it is.
    const filler = 'z'.repeat(1000);
    let total = 0;
    while (n.service.stats.slowClientsDisconnected === 0 && total < 60_000) {
      await n.api.send('stream1', `${total} ${filler}`);
      total++;
      if (total % 100 === 0) await sleep(2);
    }
    expect(n.service.stats.slowClientsDisconnected).toBe(1);
    await reader.until((e) => typeof e.content === 'string' && e.content.startsWith(`${total - 1} `), 30_000);
    expect(messages(reader)).toHaveLength(total);
    await sleep(1500);
    expect(n.service.stats.connections).toBe(1);
  });

  it('presence: a crowd joining becomes a few coalesced events with the right totals', async () => {
    const n = await node({ presenceIntervalMs: 100 });
    const watcher = await client(n, 'owner', 'stream1');
    const crowd = await Promise.all(Array.from({ length: 25 }, () => client(n, undefined, 'stream1')));
    await watcher.until((e) => e.type === 'presence' && e.count === 26, 5000);
    const presence = watcher.of('presence');
    // The watcher's own arrival is in the first report too.
    const joinedTotal = presence.reduce((s, e) => s + (e.joinedCount as number), 0);
    expect(joinedTotal).toBe(26);
    expect(presence.length).toBeLessThanOrEqual(5);
    expect(n.api.presence('stream1').count).toBe(26);
    await Promise.all(crowd.slice(0, 10).map((c) => c.close()));
    await watcher.until((e) => e.type === 'presence' && e.count === 16, 5000);
    expect(n.api.rooms()).toEqual([{ id: 'stream1', users: 16, localConnections: 16 }]);
  });
});

describe('chat SDK and REST', () => {
  it('onMessage may veto or transform; send and broadcast post as the app', async () => {
    const n = await node({ historySize: 10 });
    const alice = await client(n, 'alice', 'stream1');
    await alice.join('stream2');
    const off = n.api.onMessage((m) => (m.content.includes('buy now') ? false : { ...m, content: m.content.toUpperCase() }));
    expect(await alice.post('stream1', 'buy now cheap')).toMatchObject({ type: 'error', code: 'CHAT_VETOED' });
    await alice.post('stream1', 'quiet');
    expect((await alice.until((e) => e.type === 'message')).content).toBe('QUIET');
    off();
    await alice.post('stream1', 'loud');
    await alice.until((e) => e.content === 'loud');
    const sent = await n.api.send('stream1', 'from the app');
    expect(sent.user).toEqual({ id: 'system', name: 'System', badges: ['system'] });
    const announced = await n.api.broadcast('going live in 5');
    expect(announced.map((m) => m.room).sort()).toEqual(['stream1', 'stream2']);
    await alice.until((e) => e.room === 'stream2' && e.content === 'going live in 5');
    expect(n.api.history('stream1').map((m) => m.content)).toEqual(['QUIET', 'loud', 'from the app', 'going live in 5']);
    // The app outranks everyone, the broadcaster included; its actions are audited as `system`.
    const record = await n.api.moderate('stream1', { kind: 'timeout', userId: 'owner', durationSeconds: 30 });
    expect(record.actor).toEqual({ id: 'system', name: 'System', role: 'system' });
    expect(await alice.until((e) => e.type === 'system' && e.action === 'timeout')).toMatchObject({ userId: 'owner', by: { id: 'system' } });
    expect(n.audit.at(-1)).toMatchObject({ type: 'chat.timeout', actor: 'system', target: 'owner' });
  });

  it('REST: history and presence to readers, moderation to moderators only', async () => {
    const n = await node({ historySize: 10 });
    const alice = await client(n, 'alice', 'stream1');
    const posted = await alice.post('stream1', 'hello rest');
    await alice.until((e) => e.content === 'hello rest');
    const history = (await (await fetch(`${n.httpUrl}/api/v1/chat/rooms/stream1/history`)).json()) as { messages: Array<{ content: string }> };
    expect(history.messages.map((m) => m.content)).toEqual(['hello rest']);
    const presence = (await (await fetch(`${n.httpUrl}/api/v1/chat/rooms/stream1/presence`)).json()) as { count: number };
    expect(presence.count).toBe(1);

    const post = (token: string | undefined, body: unknown): Promise<Response> =>
      fetch(`${n.httpUrl}/api/v1/chat/rooms/stream1/moderation`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    expect((await post(undefined, { kind: 'clear' })).status).toBe(401);
    expect((await post('bob-token', { kind: 'clear' })).status).toBe(403);
    expect((await post('mia-token', { kind: 'timeout', userId: 'alice' })).status).toBe(400);
    const ok = await post('mia-token', { kind: 'timeout', userId: 'alice', durationSeconds: 60 });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ room: 'stream1', action: { kind: 'timeout', userId: 'alice' }, actor: { id: 'mia' } });
    expect(await alice.post('stream1', 'x')).toMatchObject({ code: 'CHAT_MUTED' });
    const del = await fetch(`${n.httpUrl}/api/v1/chat/rooms/stream1/messages/${String(posted.id)}`, { method: 'DELETE', headers: { authorization: 'Bearer root-token' } });
    expect(del.status).toBe(200);
    await alice.until((e) => e.type === 'delete');
    const rooms = (await (await fetch(`${n.httpUrl}/api/v1/chat/rooms`)).json()) as { rooms: unknown[] };
    expect(rooms.rooms).toEqual([{ id: 'stream1', users: 1, localConnections: 1 }]);
  });
});
