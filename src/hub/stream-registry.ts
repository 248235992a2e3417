import { EventEmitter } from 'node:events';
import { StreamAlreadyPublishingError } from './errors.js';
import { isFinal, type StreamState } from './stream-state.js';
import { Stream, type PublisherInfo, type StreamEndReason, type StreamOptions } from './stream.js';
import type { Subscription, SubscriberEndReason } from './subscriber.js';

export interface StreamRegistryEvents {
  streamCreated: [stream: Stream];
  streamStarted: [stream: Stream];
  streamStateChanged: [stream: Stream, from: StreamState, to: StreamState];
  streamEnded: [stream: Stream];
  streamFailed: [stream: Stream, error: Error];
  viewerJoined: [stream: Stream, viewer: Subscription];
  viewerLeft: [stream: Stream, viewer: Subscription, reason: SubscriberEndReason];
}

/**
 * The streams that exist on this node, by id. A stream is registered when a publisher claims
 * its id and removed when it ends, so an id is free to publish again right after.
 */
export class StreamRegistry extends EventEmitter<StreamRegistryEvents> {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly options: StreamOptions) {
    super();
  }

  /** The options every stream of this registry gets, for streams derived outside it (transcoders). */
  get streamOptions(): StreamOptions {
    return this.options;
  }

  /** Claims `id` for a publisher: the stream is created in STARTING. A live id is refused. */
  claim(id: string, publisher: PublisherInfo): Stream {
    if (this.streams.has(id)) throw new StreamAlreadyPublishingError(id);
    const stream = new Stream(id, publisher, this.options);
    this.streams.set(id, stream);
    stream.on('state', (from, to) => this.onState(stream, from, to));
    stream.on('viewerJoined', (viewer) => this.emit('viewerJoined', stream, viewer));
    stream.on('viewerLeft', (viewer, reason) => this.emit('viewerLeft', stream, viewer, reason));
    this.emit('streamCreated', stream);
    stream.transition('STARTING');
    return stream;
  }

  get(id: string): Stream | undefined {
    return this.streams.get(id);
  }

  list(): Stream[] {
    return [...this.streams.values()];
  }

  get size(): number {
    return this.streams.size;
  }

  /** Ends every stream, e.g. on shutdown. */
  endAll(reason: StreamEndReason): void {
    for (const stream of this.list()) stream.end(reason);
  }

  private onState(stream: Stream, from: StreamState, to: StreamState): void {
    this.emit('streamStateChanged', stream, from, to);
    if (to === 'LIVE' && from === 'STARTING') this.emit('streamStarted', stream);
    if (isFinal(to)) {
      this.streams.delete(stream.id);
      if (to === 'FAILED') this.emit('streamFailed', stream, stream.failure ?? new Error('stream failed'));
      else this.emit('streamEnded', stream);
    }
  }
}
