import { describe, expect, it } from 'vitest';
import { MessageIdGenerator, messageIdTime } from './message-id.js';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows exactly the burst, then one token per 1/rate seconds', () => {
    let t = 1000;
    const b = new TokenBucket(5, 5, () => t);
    for (let i = 0; i < 5; i++) expect(b.take()).toBe(0);
    expect(b.take()).toBe(200);
    t += 199;
    expect(b.take()).toBe(1);
    t += 1;
    expect(b.take()).toBe(0);
    expect(b.take()).toBe(200);
    t += 10_000;
    for (let i = 0; i < 5; i++) expect(b.take()).toBe(0);
    expect(b.take()).toBeGreaterThan(0);
  });

  it('over a long run admits rate × seconds + burst and no more', () => {
    let t = 0;
    const b = new TokenBucket(5, 5, () => t);
    let admitted = 0;
    for (; t <= 10_000; t += 5) if (b.take() === 0) admitted++;
    expect(admitted).toBe(5 + 50);
  });
});

describe('MessageIdGenerator', () => {
  it('ids sort in creation order, even within one millisecond and when the clock steps back', () => {
    let t = 1_700_000_000_000;
    const g = new MessageIdGenerator('node-a', () => t);
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) {
      if (i % 7 === 0) t += 1;
      if (i === 2500) t -= 50;
      ids.push(g.next());
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(messageIdTime(ids[0] as string)).toBe(1_700_000_000_001);
  });

  it('two nodes never produce the same id at the same instant', () => {
    const a = new MessageIdGenerator('a', () => 5);
    const b = new MessageIdGenerator('b', () => 5);
    const all = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      all.add(a.next());
      all.add(b.next());
    }
    expect(all.size).toBe(2000);
  });

  it('refuses node ids that would break the format', () => {
    expect(() => new MessageIdGenerator('a b')).toThrow(RangeError);
    expect(() => new MessageIdGenerator('')).toThrow(RangeError);
  });
});
