import { describe, expect, it } from 'vitest';
import { STREAM_ID_PATTERN } from '../hub/index.js';
import { StreamKeyStore } from './stream-keys.js';

describe('StreamKeyStore', () => {
  it('keys are random, URL-safe, valid RTMP names, and map to the public stream id and owner', () => {
    const store = new StreamKeyStore();
    const keys = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { key } = store.issue(`st_${i}`, 'usr_1');
      expect(key).toMatch(/^sk_[A-Za-z0-9_-]{32}$/);
      expect(STREAM_ID_PATTERN.test(key)).toBe(true);
      keys.add(key);
    }
    expect(keys.size).toBe(200);
    const { key } = store.issue('st_main', 'usr_9');
    expect(store.verify(key)).toEqual({ streamId: 'st_main', ownerId: 'usr_9' });
    expect(store.verify(`${key}x`)).toBeUndefined();
    expect(store.verify('')).toBeUndefined();
  });

  it('rotation: the old key keeps working for the grace period, then stops; the new key works', () => {
    let now = 1_000_000;
    const store = new StreamKeyStore(() => now);
    const old = store.issue('st_1', 'usr_1').key;
    const fresh = store.rotate('st_1', 'usr_1', 30_000).key;
    expect(store.verify(old)?.streamId).toBe('st_1');
    expect(store.verify(fresh)?.streamId).toBe('st_1');
    expect(store.activeKeyCount('st_1')).toBe(2);
    now += 29_999;
    expect(store.verify(old)?.streamId).toBe('st_1');
    now += 1;
    expect(store.verify(old)).toBeUndefined();
    expect(store.verify(fresh)?.streamId).toBe('st_1');
    expect(store.activeKeyCount('st_1')).toBe(1);
  });

  it('a second rotation never extends an older key beyond its first grace', () => {
    let now = 0;
    const store = new StreamKeyStore(() => now);
    const k1 = store.issue('st_1', 'u').key;
    store.rotate('st_1', 'u', 10_000);
    now = 5_000;
    store.rotate('st_1', 'u', 60_000);
    now = 10_000;
    expect(store.verify(k1)).toBeUndefined();
  });

  it('rotation with no grace ends the old key at once; revoke ends every key of the stream only', () => {
    const store = new StreamKeyStore();
    const old = store.issue('st_1', 'u').key;
    const fresh = store.rotate('st_1', 'u', 0).key;
    expect(store.verify(old)).toBeUndefined();
    const other = store.issue('st_2', 'u').key;
    expect(store.revoke('st_1')).toBe(1);
    expect(store.verify(fresh)).toBeUndefined();
    expect(store.verify(other)?.streamId).toBe('st_2');
  });
});
