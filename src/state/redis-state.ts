import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../base/index.js';
import type { Counters } from './counters.js';
import { StateUnavailableError } from './errors.js';
import type { KeyValueStore } from './key-value.js';
import type { PubSub, PubSubHandler, Subscription } from './pubsub.js';
import type { SharedState } from './shared-state.js';

/** Where the Redis back end connects and how it names its keys. */
export interface RedisStateOptions {
  host: string;
  port: number;
  password?: string;
  db?: number;
  /** Prepended to every key and channel so several deployments can share one Redis. */
  keyPrefix?: string;
  maxRetriesPerRequest?: number;
  logger: Logger;
}

// SCAN MATCH treats these as glob syntax; a prefix must match them literally.
const escapeGlob = (s: string): string => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

// GET, compare and SET in one script: Redis runs a script alone, so no other client's write lands
// between the check and the set. A missing key reads as false in Lua; ARGV[1] says whether one is expected.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1`;

/**
 * Shared state on one Redis: commands on one connection, subscriptions on a second (a
 * subscribed connection cannot run commands). Redis delivers a channel's messages in publish
 * order, once per subscribed connection; we fan out to local handlers from that one delivery.
 */
export class RedisState implements SharedState {
  readonly kind = 'redis' as const;
  readonly kv: KeyValueStore;
  readonly counters: Counters;
  readonly pubsub: PubSub;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, Set<PubSubHandler>>();
  private readonly subscribing = new Map<string, Promise<void>>();
  private readonly prefix: string;
  private closed = false;

  constructor(options: RedisStateOptions) {
    const log = options.logger.child({ component: 'state', backend: 'redis' });
    this.prefix = options.keyPrefix ?? 'zenlive:';
    const base: RedisOptions = {
      host: options.host,
      port: options.port,
      ...(options.password ? { password: options.password } : {}),
      db: options.db ?? 0,
      maxRetriesPerRequest: options.maxRetriesPerRequest ?? 3,
      lazyConnect: true,
    };
    this.commands = new Redis(base);
    this.subscriber = new Redis(base);
    for (const [role, conn] of [['commands', this.commands], ['subscriber', this.subscriber]] as const) {
      conn.on('error', (err: Error) => log.warn({ err: err.message, connection: role }, 'redis connection error'));
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      const set = this.handlers.get(channel);
      if (set !== undefined) for (const h of [...set]) h(message);
    });
    this.kv = this.makeKeyValue();
    this.counters = this.makeCounters();
    this.pubsub = this.makePubSub();
  }

  /** Connects both connections; fails with StateUnavailableError when Redis cannot be reached. */
  async start(): Promise<void> {
    try {
      await Promise.all([this.commands.connect(), this.subscriber.connect()]);
    } catch (err) {
      throw new StateUnavailableError('connect', { cause: err });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
  }

  private async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StateUnavailableError(operation);
    try {
      return await fn();
    } catch (err) {
      throw new StateUnavailableError(operation, { cause: err });
    }
  }

  private makeKeyValue(): KeyValueStore {
    const p = (k: string): string => this.prefix + k;
    const c = this.commands;
    return {
      get: (key) => this.run('get', async () => (await c.get(p(key))) ?? undefined),
      getMany: (keys) => this.run('getMany', async () => (keys.length === 0 ? [] : (await c.mget(...keys.map(p))).map((v) => v ?? undefined))),
      set: (key, value, ttlMs) =>
        this.run('set', async () => {
          if (ttlMs !== undefined && ttlMs > 0) await c.set(p(key), value, 'PX', Math.ceil(ttlMs));
          else await c.set(p(key), value);
        }),
      compareAndSet: (key, expected, value, ttlMs) =>
        this.run('compareAndSet', async () => {
          const ttl = ttlMs !== undefined && ttlMs > 0 ? Math.ceil(ttlMs) : 0;
          const stored = await c.eval(COMPARE_AND_SET, 1, p(key), expected === undefined ? '0' : '1', expected ?? '', value, ttl);
          return stored === 1;
        }),
      delete: (key) => this.run('delete', async () => (await c.del(p(key))) > 0),
      keys: (prefix) =>
        this.run('keys', async () => {
          const out: string[] = [];
          let cursor = '0';
          do {
            const [next, batch] = await c.scan(cursor, 'MATCH', `${escapeGlob(p(prefix))}*`, 'COUNT', 500);
            cursor = next;
            for (const k of batch) out.push(k.slice(this.prefix.length));
          } while (cursor !== '0');
          return out;
        }),
    };
  }

  private makeCounters(): Counters {
    const p = (k: string): string => this.prefix + k;
    const c = this.commands;
    return {
      increment: (key, by = 1, ttlMs) =>
        this.run('increment', async () => {
          if (ttlMs === undefined || ttlMs <= 0) return c.incrby(p(key), by);
          // One round trip, and the TTL is armed atomically with the change.
          const res = await c.multi().incrby(p(key), by).pexpire(p(key), Math.ceil(ttlMs)).exec();
          const first = res?.[0];
          if (first === undefined || first[0] !== null) throw first?.[0] ?? new Error('empty MULTI reply');
          return Number(first[1]);
        }),
      value: (key) => this.run('value', async () => Number((await c.get(p(key))) ?? 0)),
      reset: (key) =>
        this.run('reset', async () => {
          await c.del(p(key));
        }),
    };
  }

  private makePubSub(): PubSub {
    return {
      publish: (channel, message) =>
        this.run('publish', async () => {
          await this.commands.publish(this.prefix + channel, message);
        }),
      subscribe: (channel, handler) =>
        this.run('subscribe', async (): Promise<Subscription> => {
          const full = this.prefix + channel;
          const own: PubSubHandler = (m) => handler(m);
          let set = this.handlers.get(full);
          if (set === undefined) {
            set = new Set();
            this.handlers.set(full, set);
            this.subscribing.set(full, this.subscriber.subscribe(full).then(() => undefined));
          }
          set.add(own);
          // A second local subscriber waits for the same SUBSCRIBE acknowledgement as the first.
          await this.subscribing.get(full);
          return {
            unsubscribe: async () => {
              const s = this.handlers.get(full);
              if (s === undefined) return;
              s.delete(own);
              if (s.size === 0) {
                this.handlers.delete(full);
                this.subscribing.delete(full);
                if (!this.closed) await this.subscriber.unsubscribe(full).catch(() => undefined);
              }
            },
          };
        }),
    };
  }
}

/** Connects a Redis-backed SharedState; callers `close()` it. */
export async function createRedisState(options: RedisStateOptions): Promise<SharedState> {
  const state = new RedisState(options);
  try {
    await state.start();
  } catch (err) {
    await state.close();
    throw err;
  }
  return state;
}
