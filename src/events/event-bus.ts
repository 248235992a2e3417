import type { Logger } from '../base/index.js';
import type { ZenLiveEventName, ZenLiveEvents } from './types.js';

type Listener<K extends ZenLiveEventName> = (...args: ZenLiveEvents[K]) => unknown;

/**
 * The typed event bus. A listener that throws or rejects is logged and skipped: an app's bug in
 * `on('streamStarted')` must never break the publisher's session that caused the event.
 */
export class EventBus {
  private readonly listeners = new Map<ZenLiveEventName, Set<Listener<never>>>();

  constructor(private readonly log: Logger) {}

  on<K extends ZenLiveEventName>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  once<K extends ZenLiveEventName>(event: K, listener: Listener<K>): () => void {
    const wrapped = ((...args: ZenLiveEvents[K]) => {
      this.off(event, wrapped);
      return listener(...args);
    }) as Listener<K>;
    return this.on(event, wrapped);
  }

  off<K extends ZenLiveEventName>(event: K, listener: Listener<K>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  emit<K extends ZenLiveEventName>(event: K, ...args: ZenLiveEvents[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        const result = (listener as Listener<K>)(...args);
        if (result instanceof Promise) result.catch((err: unknown) => this.log.error({ err, event }, 'event listener rejected'));
      } catch (err) {
        this.log.error({ err, event }, 'event listener threw');
      }
    }
  }

  listenerCount(event: ZenLiveEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
