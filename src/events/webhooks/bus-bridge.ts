import type { EventBus } from '../event-bus.js';
import type { ZenLiveEventName, ZenLiveEvents } from '../types.js';

// `satisfies Record<ZenLiveEventName, true>` makes the compiler list here every event the bus can
// emit: adding one to ZenLiveEvents without adding it here fails type-checking, so no event
// silently misses its webhooks.
const BUS_EVENTS = {
  streamCreated: true,
  streamStarted: true,
  streamEnded: true,
  streamFailed: true,
  viewerJoined: true,
  viewerLeft: true,
  recordingStarted: true,
  recordingFinished: true,
  recordingFailed: true,
  chatMessage: true,
  chatModeration: true,
} as const satisfies Record<ZenLiveEventName, true>;

/** Every bus event name, as webhook event types. */
export const WEBHOOK_BUS_EVENT_TYPES: readonly ZenLiveEventName[] = Object.keys(BUS_EVENTS) as ZenLiveEventName[];

type DataShape<K extends ZenLiveEventName> = (...args: ZenLiveEvents[K]) => unknown;

// Events whose listener gets more than one argument name them here; the others send their one
// argument as `data`.
const DATA_SHAPES: { [K in ZenLiveEventName]?: DataShape<K> } = {
  streamFailed: (stream, error) => ({ stream, error: describeError(error) }),
  recordingFailed: (recording, error) => ({ recording, error: describeError(error) }),
};

/** Where bridged events go: the webhook service's `publish`. */
export interface WebhookSink {
  publish(type: string, data: unknown): string;
}

/** Forwards bus events to webhooks; returns a function that detaches every listener. */
export function forwardBusToWebhooks(bus: EventBus, sink: WebhookSink, events: readonly ZenLiveEventName[] = WEBHOOK_BUS_EVENT_TYPES): () => void {
  const detach = events.map((name) => bus.on(name, (...args: ZenLiveEvents[typeof name]) => sink.publish(name, webhookData(name, args))));
  return () => {
    for (const off of detach) off();
  };
}

/** The `data` of the webhook for one bus event. */
export function webhookData<K extends ZenLiveEventName>(name: K, args: ZenLiveEvents[K]): unknown {
  const shape = DATA_SHAPES[name] as DataShape<K> | undefined;
  if (shape !== undefined) return shape(...args);
  return args.length === 1 ? args[0] : args.map((a) => (a instanceof Error ? describeError(a) : a));
}

// Error objects serialize to `{}`: keep what a receiver can act on.
function describeError(error: Error): { name: string; message: string; code: string | null } {
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, code: typeof code === 'string' ? code : null };
}
