import { describe, expect, it } from 'vitest';
import { FailureThrottle } from './throttle.js';

describe('FailureThrottle', () => {
  it('blocks a key after maxFailures until its window ends, and says how long', () => {
    let now = 0;
    const t = new FailureThrottle({ maxFailures: 3, windowMs: 60_000, maxKeys: 10 }, () => now);
    t.fail(['a']);
    t.fail(['a']);
    expect(t.retryAfterSeconds(['a'])).toBe(0);
    t.fail(['a']);
    expect(t.retryAfterSeconds(['a'])).toBe(60);
    expect(t.retryAfterSeconds(['b'])).toBe(0);
    now = 59_001;
    expect(t.retryAfterSeconds(['a', 'b'])).toBe(1);
    now = 60_000;
    expect(t.retryAfterSeconds(['a'])).toBe(0);
  });

  it('clear forgets one key only', () => {
    const t = new FailureThrottle({ maxFailures: 1, windowMs: 60_000, maxKeys: 10 });
    t.fail(['account:x', 'ip:1']);
    t.clear('account:x');
    expect(t.retryAfterSeconds(['account:x'])).toBe(0);
    expect(t.retryAfterSeconds(['ip:1'])).toBeGreaterThan(0);
  });

  it('memory stays bounded: a flood of distinct keys keeps at most maxKeys, forgetting the oldest', () => {
    const t = new FailureThrottle({ maxFailures: 1, windowMs: 60_000, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) t.fail([`ip:${i}`]);
    expect(t.size).toBe(100);
    expect(t.retryAfterSeconds(['ip:9999'])).toBeGreaterThan(0);
    expect(t.retryAfterSeconds(['ip:0'])).toBe(0);
  });
});
