import type { Counters } from './counters.js';
import type { KeyValueStore } from './key-value.js';
import type { PubSub } from './pubsub.js';

/** The three shared-state seams one back end provides, and how to release it. */
export interface SharedState {
  /** `memory` when everything lives in this process; `redis` when nodes share it. */
  readonly kind: 'memory' | 'redis';
  readonly kv: KeyValueStore;
  readonly counters: Counters;
  readonly pubsub: PubSub;
  close(): Promise<void>;
}
