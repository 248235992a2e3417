import { describe, expect, it } from 'vitest';
import { TimestampUnwrapper } from './timestamp-unwrapper.js';

const WRAP = 4294967296;

describe('TimestampUnwrapper', () => {
  it('passes timestamps through before the wrap', () => {
    const u = new TimestampUnwrapper();
    expect([0, 33, 66, 1000].map((t) => u.unwrap(t))).toEqual([0, 33, 66, 1000]);
  });

  it('keeps counting past 2^32 ms (~49.7 days) instead of jumping back to zero', () => {
    const u = new TimestampUnwrapper();
    expect(u.unwrap(WRAP - 40)).toBe(WRAP - 40);
    expect(u.unwrap(WRAP - 7)).toBe(WRAP - 7);
    expect(u.unwrap(26)).toBe(WRAP + 26);
    // A frame sent just before the wrap but read just after it stays before it.
    expect(u.unwrap(WRAP - 3)).toBe(WRAP - 3);
    expect(u.unwrap(59)).toBe(WRAP + 59);
    expect(u.unwrap(WRAP - 10)).toBe(WRAP - 10);
  });
});
