import { describe, expect, it } from 'vitest';
import { MemoryPubSub } from '../state/index.js';
import { PresenceTracker, type PresenceChange } from './presence.js';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

function tracker(nodeId: string, pubsub: MemoryPubSub, counts: Map<string, number>, changes: PresenceChange[], now: { t: number }): PresenceTracker {
  // A long timer interval: the tests drive ticks by hand.
  return new PresenceTracker({ nodeId, pubsub, tickMs: 60_000, heartbeatTicks: 5, localCounts: () => counts, localCount: (r) => counts.get(r) ?? 0, onChange: (c) => changes.push(c), onError: (e) => { throw e; }, now: () => now.t });
}

describe('PresenceTracker', () => {
  it('coalesces a tick of joins into one change, and a join+leave of the same user into none', async () => {
    const pubsub = new MemoryPubSub();
    const changes: PresenceChange[] = [];
    const counts = new Map([['r', 3]]);
    const now = { t: 0 };
    const p = tracker('a', pubsub, counts, changes, now);
    await p.start();
    p.joined('r', 'u1', 'One');
    p.joined('r', 'u2', 'Two');
    p.joined('r', 'u3', 'Three');
    p.joined('r', 'u4', 'Four');
    p.left('r', 'u4', 'Four');
    p.tick();
    await settle();
    expect(changes).toEqual([{ room: 'r', count: 3, joined: [{ id: 'u1', name: 'One' }, { id: 'u2', name: 'Two' }, { id: 'u3', name: 'Three' }], left: [], joinedCount: 3, leftCount: 0 }]);
    p.tick();
    await settle();
    expect(changes).toHaveLength(1);
    await p.close();
  });

  it('totals add other nodes’ reports until they go stale', async () => {
    const pubsub = new MemoryPubSub();
    const now = { t: 0 };
    const aCounts = new Map([['r', 2]]);
    const bCounts = new Map([['r', 5], ['s', 1]]);
    const a = tracker('a', pubsub, aCounts, [], now);
    const b = tracker('b', pubsub, bCounts, [], now);
    await a.start();
    await b.start();
    for (let i = 0; i < 5; i++) b.tick(); // the fifth tick is a full report
    await settle();
    expect(a.total('r')).toBe(7);
    expect(a.total('s')).toBe(1);
    expect([...a.rooms()].sort()).toEqual([['r', 7], ['s', 1]]);
    // Three heartbeats without news from b: its users no longer count.
    now.t += 3 * 5 * 60_000 + 1;
    expect(a.total('r')).toBe(2);
    await a.close();
    await b.close();
  });
});
