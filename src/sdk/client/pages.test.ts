import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paginate, type PageOf } from './pages.js';

/** A list served `size` items a page, the cursor being the index of the next item. */
function pager<T>(items: T[], size: number, lastCursor: 'absent' | 'null'): { fetch: (cursor: string | undefined) => Promise<PageOf<T>>; calls: Array<string | undefined> } {
  const calls: Array<string | undefined> = [];
  return {
    calls,
    fetch: async (cursor) => {
      calls.push(cursor);
      const start = cursor === undefined ? 0 : Number(cursor);
      const end = start + size;
      return { items: items.slice(start, end), ...(end < items.length ? { nextCursor: String(end) } : lastCursor === 'null' ? { nextCursor: null } : {}) };
    },
  };
}

describe('paginate', () => {
  it('yields every item once, in order, over any page size, asking for each page once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer()), fc.integer({ min: 1, max: 7 }), fc.constantFrom('absent' as const, 'null' as const), async (items, size, last) => {
        const p = pager(items, size, last);
        const got: number[] = [];
        for await (const item of paginate(p.fetch)) got.push(item);
        expect(got).toEqual(items);
        expect(p.calls).toHaveLength(Math.max(1, Math.ceil(items.length / size)));
      }),
    );
  });

  it('stops when a server hands back the cursor it was given, instead of looping', async () => {
    const got: number[] = [];
    for await (const item of paginate(async (cursor) => ({ items: [1], nextCursor: cursor ?? 'same' }))) got.push(item);
    expect(got).toEqual([1, 1]);
  });

  it('stops early when the loop breaks, without fetching further pages', async () => {
    const p = pager([1, 2, 3, 4, 5, 6], 2, 'absent');
    for await (const item of paginate(p.fetch)) if (item === 3) break;
    expect(p.calls).toEqual([undefined, '2']);
  });
});
