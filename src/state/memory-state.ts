import { MemoryCounters } from './memory-counters.js';
import { MemoryKeyValue } from './memory-key-value.js';
import { MemoryPubSub } from './memory-pubsub.js';
import type { SharedState } from './shared-state.js';

/** Shared state for a single node: everything in this process (the embedded default). */
export function createMemoryState(now: () => number = Date.now): SharedState {
  const kv = new MemoryKeyValue(now);
  const counters = new MemoryCounters(now);
  const pubsub = new MemoryPubSub();
  return {
    kind: 'memory',
    kv,
    counters,
    pubsub,
    close: async () => {
      kv.close();
      counters.close();
      pubsub.close();
    },
  };
}
