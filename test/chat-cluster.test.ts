import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/base/index.js';
import { startChatNode, type ChatNode } from '../src/chat/testing/chat-node.js';
import { ChatTestClient, type ChatFrameEvent } from '../src/chat/testing/test-client.js';
import { createRedisState, type SharedState } from '../src/state/index.js';
import { startRedisServer, type RedisServerPeer } from '../src/state/testing/redis-server.js';
import { requireBinary } from './helpers/peers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('chat on two nodes sharing one real redis-server', () => {
  let redis: RedisServerPeer;
  const states: SharedState[] = [];
  const nodes: ChatNode[] = [];
  const clients: ChatTestClient[] = [];
  let n1: ChatNode;
  let n2: ChatNode;

  const connect = async (n: ChatNode, user: string | undefined, room: string): Promise<ChatTestClient> => {
    const c = await ChatTestClient.connect(n.wsUrl, user === undefined ? {} : { token: `${user}-token` });
    clients.push(c);
    await c.join(room);
    return c;
  };

  beforeAll(async () => {
    requireBinary('redis-server');
    redis = await startRedisServer();
    for (const nodeId of ['n1', 'n2']) {
      const state = await createRedisState({ host: '127.0.0.1', port: redis.port, keyPrefix: 'cluster-test:', logger: silentLogger() });
      states.push(state);
      nodes.push(await startChatNode({ nodeId, state, rateLimitPerSecond: 1000, historySize: 200, presenceIntervalMs: 100 }));
    }
    [n1, n2] = nodes as [ChatNode, ChatNode];
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    for (const n of nodes) await n.close();
    for (const s of states) await s.close();
    await redis?.stop();
  });

  it('messages posted on either node reach every client on both, exactly once, in one order', async () => {
    const alice = await connect(n1, 'alice', 'stream1');
    const viewer1 = await connect(n1, undefined, 'stream1');
    const bob = await connect(n2, 'bob', 'stream1');
    const viewer2 = await connect(n2, undefined, 'stream1');
    for (let i = 0; i < 60; i++) {
      alice.send({ type: 'message', room: 'stream1', content: `a${i}` });
      bob.send({ type: 'message', room: 'stream1', content: `b${i}` });
    }
    const all = [alice, viewer1, bob, viewer2];
    for (const c of all) {
      await c.until((e) => e.content === 'a59', 10_000);
      await c.until((e) => e.content === 'b59', 10_000);
    }
    await sleep(200);
    const orders = all.map((c) => c.events.filter((e) => e.type === 'message').map((e) => e.content as string));
    for (const order of orders) {
      expect(order).toHaveLength(120);
      expect(new Set(order).size).toBe(120);
      expect(order.filter((s) => s.startsWith('a'))).toEqual(Array.from({ length: 60 }, (_, i) => `a${i}`));
      expect(order.filter((s) => s.startsWith('b'))).toEqual(Array.from({ length: 60 }, (_, i) => `b${i}`));
    }
    for (const order of orders.slice(1)) expect(order).toEqual(orders[0]);
    // Each node emits only the messages posted on it: the app sees each message once cluster-wide.
    expect(n1.events.filter((e) => e.type === 'chatMessage')).toHaveLength(60);
    expect(n2.events.filter((e) => e.type === 'chatMessage')).toHaveLength(60);
    // Both nodes keep the same history.
    expect(n1.api.history('stream1').map((m) => m.id)).toEqual(n2.api.history('stream1').map((m) => m.id));
    // Message ids name the node that created them.
    const ids = viewer2.events.filter((e) => e.type === 'message').map((e) => e.id as string);
    expect(ids.filter((id) => id.endsWith('-n1'))).toHaveLength(60);
    expect(ids.filter((id) => id.endsWith('-n2'))).toHaveLength(60);
  });

  it('presence totals count users on both nodes', async () => {
    await connect(n1, 'carol', 'room-p');
    await connect(n1, undefined, 'room-p');
    const watcher = await connect(n2, 'dave', 'room-p');
    await connect(n2, undefined, 'room-p');
    await connect(n2, undefined, 'room-p');
    await watcher.until((e) => e.type === 'presence' && e.room === 'room-p' && e.count === 5, 5000);
    for (let i = 0; i < 50 && (n1.api.presence('room-p').count !== 5 || n2.api.presence('room-p').count !== 5); i++) await sleep(50);
    expect(n1.api.presence('room-p').count).toBe(5);
    expect(n2.api.presence('room-p').count).toBe(5);
    expect(n1.api.rooms().find((r) => r.id === 'room-p')).toEqual({ id: 'room-p', users: 5, localConnections: 2 });
  });

  it('moderation on one node holds on the other: timeout, room ban, global ban', async () => {
    const mia = await connect(n1, 'mia', 'room-m');
    const alice = await connect(n2, 'alice', 'room-m');
    expect(await mia.post('room-m', '/timeout alice 60')).toMatchObject({ type: 'ack' });
    await alice.until((e) => e.type === 'system' && e.action === 'timeout');
    expect(await alice.post('room-m', 'from node 2')).toMatchObject({ type: 'error', code: 'CHAT_MUTED' });
    await mia.post('room-m', '/untimeout alice');
    expect(await alice.post('room-m', 'ok now')).toMatchObject({ type: 'ack' });

    await mia.post('room-m', '/ban alice');
    await alice.until((e: ChatFrameEvent) => e.type === 'system' && e.action === 'ban');
    expect(await alice.post('room-m', 'hello?')).toMatchObject({ type: 'error', code: 'CHAT_ROOM_INVALID' });
    expect(await alice.request({ type: 'join', room: 'room-m' })).toMatchObject({ type: 'error', code: 'CHAT_BANNED' });

    const bob = await connect(n2, 'bob', 'room-g');
    expect(await mia.post('room-m', '/gban bob')).toMatchObject({ type: 'ack' });
    expect(await bob.closedWith()).toMatchObject({ code: 4403 });
  });
});
