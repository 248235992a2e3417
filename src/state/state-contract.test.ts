import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { silentLogger } from '../base/index.js';
import { createMemoryState } from './memory-state.js';
import { createRedisState } from './redis-state.js';
import type { SharedState } from './shared-state.js';
import { startRedisServer, type RedisServerPeer } from './testing/redis-server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function requireBinary(name: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`]);
  } catch {
    throw new Error(`${name} is not installed; run scripts/provision.sh to install the test peers`);
  }
}

async function collect(state: SharedState, channel: string, into: string[]): Promise<() => Promise<void>> {
  const sub = await state.pubsub.subscribe(channel, (m) => into.push(m));
  return () => sub.unsubscribe();
}

/** One behaviour list, run against every implementation of the seams. */
function runStateContract(name: string, make: () => Promise<SharedState>): void {
  describe(`shared state contract: ${name}`, () => {
    let state: SharedState;
    beforeAll(async () => {
      state = await make();
    });
    afterAll(async () => {
      await state.close();
    });

    it('stores, reads and deletes values', async () => {
      await state.kv.set('a:1', 'one');
      await state.kv.set('a:2', 'two');
      expect(await state.kv.get('a:1')).toBe('one');
      expect(await state.kv.getMany(['a:2', 'missing', 'a:1'])).toEqual(['two', undefined, 'one']);
      expect((await state.kv.keys('a:')).sort()).toEqual(['a:1', 'a:2']);
      expect(await state.kv.delete('a:1')).toBe(true);
      expect(await state.kv.delete('a:1')).toBe(false);
      expect(await state.kv.get('a:1')).toBeUndefined();
    });

    it('a key with a TTL disappears after it and not before', async () => {
      await state.kv.set('ttl:x', 'v', 300);
      expect(await state.kv.get('ttl:x')).toBe('v');
      await sleep(450);
      expect(await state.kv.get('ttl:x')).toBeUndefined();
      expect(await state.kv.keys('ttl:')).toEqual([]);
    });

    it('keys matches the prefix literally, glob characters included', async () => {
      await state.kv.set('g*[1]:k', 'v');
      await state.kv.set('gX[1]:k', 'v');
      expect(await state.kv.keys('g*[1]')).toEqual(['g*[1]:k']);
    });

    it('compareAndSet stores only over the expected value, or only over nothing', async () => {
      expect(await state.kv.compareAndSet('cas:1', undefined, 'v1')).toBe(true);
      expect(await state.kv.compareAndSet('cas:1', undefined, 'other')).toBe(false);
      expect(await state.kv.compareAndSet('cas:1', 'wrong', 'other')).toBe(false);
      expect(await state.kv.get('cas:1')).toBe('v1');
      expect(await state.kv.compareAndSet('cas:1', 'v1', 'v2')).toBe(true);
      expect(await state.kv.compareAndSet('cas:1', 'v1', 'v3')).toBe(false);
      expect(await state.kv.get('cas:1')).toBe('v2');
      // An empty string is a value, not absence.
      expect(await state.kv.compareAndSet('cas:empty', '', 'x')).toBe(false);
      await state.kv.set('cas:empty', '');
      expect(await state.kv.compareAndSet('cas:empty', undefined, 'x')).toBe(false);
      expect(await state.kv.compareAndSet('cas:empty', '', 'x')).toBe(true);
    });

    it('compareAndSet arms a TTL, and an expired key counts as absent', async () => {
      expect(await state.kv.compareAndSet('cas:ttl', undefined, 'a', 200)).toBe(true);
      expect(await state.kv.get('cas:ttl')).toBe('a');
      await sleep(350);
      expect(await state.kv.get('cas:ttl')).toBeUndefined();
      expect(await state.kv.compareAndSet('cas:ttl', 'a', 'b')).toBe(false);
      expect(await state.kv.compareAndSet('cas:ttl', undefined, 'b')).toBe(true);
      // Without a TTL the value stays (a CAS without ttlMs, like set, stores a key that does not expire).
      await sleep(250);
      expect(await state.kv.get('cas:ttl')).toBe('b');
    });

    it('of many concurrent compareAndSets over one value exactly one wins', async () => {
      await state.kv.set('cas:race', 'v0');
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => state.kv.compareAndSet('cas:race', 'v0', `w${i}`)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await state.kv.get('cas:race')).toBe(`w${wins.indexOf(true)}`);
    });

    it('counters add, subtract, expire and reset', async () => {
      expect(await state.counters.value('c:1')).toBe(0);
      expect(await state.counters.increment('c:1')).toBe(1);
      expect(await state.counters.increment('c:1', 5)).toBe(6);
      expect(await state.counters.increment('c:1', -2)).toBe(4);
      await state.counters.reset('c:1');
      expect(await state.counters.value('c:1')).toBe(0);
      expect(await state.counters.increment('c:2', 3, 200)).toBe(3);
      await sleep(350);
      expect(await state.counters.value('c:2')).toBe(0);
    });

    it('pub/sub delivers in order, once per subscription, and stops after unsubscribe', async () => {
      const a: string[] = [];
      const b: string[] = [];
      const stopA = await collect(state, 'ch:1', a);
      const stopB = await collect(state, 'ch:1', b);
      const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
      for (const m of sent) await state.pubsub.publish('ch:1', m);
      for (let i = 0; i < 100 && (a.length < 200 || b.length < 200); i++) await sleep(10);
      expect(a).toEqual(sent);
      expect(b).toEqual(sent);
      await stopA();
      await state.pubsub.publish('ch:1', 'after');
      for (let i = 0; i < 100 && b.length < 201; i++) await sleep(10);
      expect(b.at(-1)).toBe('after');
      expect(a).toHaveLength(200);
      await stopB();
    });

    it('messages on other channels are not delivered', async () => {
      const got: string[] = [];
      const stop = await collect(state, 'ch:mine', got);
      await state.pubsub.publish('ch:other', 'x');
      await state.pubsub.publish('ch:mine', 'y');
      for (let i = 0; i < 100 && got.length < 1; i++) await sleep(10);
      await sleep(30);
      expect(got).toEqual(['y']);
      await stop();
    });
  });
}

runStateContract('memory', async () => createMemoryState());

describe('redis back end', () => {
  let redis: RedisServerPeer;
  beforeAll(async () => {
    requireBinary('redis-server');
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  runStateContract('redis', async () => createRedisState({ host: '127.0.0.1', port: redis.port, keyPrefix: `t${Date.now()}:`, logger: silentLogger() }));

  it('two connections (two nodes) see each other’s publishes, in order, exactly once', async () => {
    const opts = { host: '127.0.0.1', port: redis.port, keyPrefix: 'two:', logger: silentLogger() };
    const n1 = await createRedisState(opts);
    const n2 = await createRedisState(opts);
    try {
      const on1: string[] = [];
      const on2: string[] = [];
      await collect(n1, 'room', on1);
      await collect(n2, 'room', on2);
      for (let i = 0; i < 50; i++) await (i % 2 === 0 ? n1 : n2).pubsub.publish('room', String(i));
      for (let i = 0; i < 200 && (on1.length < 50 || on2.length < 50); i++) await sleep(10);
      await sleep(50);
      expect(on1).toEqual(on2);
      expect(on1.map(Number)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      await n1.kv.set('shared', 'yes');
      expect(await n2.kv.get('shared')).toBe('yes');
      // Two nodes racing a compare-and-set over the same value: exactly one stores.
      const race = await Promise.all([n1.kv.compareAndSet('shared', 'yes', 'n1'), n2.kv.compareAndSet('shared', 'yes', 'n2')]);
      expect(race.filter(Boolean)).toHaveLength(1);
      expect(await n1.kv.get('shared')).toBe(race[0] ? 'n1' : 'n2');
    } finally {
      await n1.close();
      await n2.close();
    }
  });

  it('an unreachable Redis fails with StateUnavailableError', async () => {
    await expect(createRedisState({ host: '127.0.0.1', port: 1, logger: silentLogger(), maxRetriesPerRequest: 0 })).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
  });
});
