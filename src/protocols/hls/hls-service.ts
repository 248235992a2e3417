import type { HttpExchange, Logger } from '../../base/index.js';
import type { Stream, StreamRegistry } from '../../hub/index.js';
import { HlsStream } from './hls-stream.js';
import type { HlsOptions } from './options.js';
import { HlsRequestHandler } from './request-handler.js';
import { HlsSessions } from './sessions.js';

/**
 * HLS for every stream of the hub: segmenting starts the moment a stream is created (so the first
 * viewer never waits for a segment to be built) and requests are served on the raw HTTP fast path.
 */
export class HlsService {
  private readonly streams = new Map<string, HlsStream>();
  private readonly sessions: HlsSessions;
  private readonly handler: HlsRequestHandler;
  private readonly log: Logger;
  private readonly onCreated = (stream: Stream): void => this.attach(stream);
  private readonly onGone = (stream: Stream): void => this.detach(stream);

  constructor(
    private readonly registry: StreamRegistry,
    private readonly options: HlsOptions,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'hls' });
    this.sessions = new HlsSessions(options.sessionTimeoutMs);
    this.handler = new HlsRequestHandler(this.streams, this.sessions, options);
  }

  start(): void {
    this.registry.on('streamCreated', this.onCreated);
    this.registry.on('streamEnded', this.onGone);
    this.registry.on('streamFailed', this.onGone);
    for (const s of this.registry.list()) this.attach(s);
  }

  /** Serves the request if it is an HLS URL; false lets the web framework handle it. */
  handle(exchange: HttpExchange): boolean {
    return this.handler.handle(exchange);
  }

  /** The HLS state of a stream id, if any (tests and the API read it). */
  get(id: string): HlsStream | undefined {
    return this.streams.get(id);
  }

  close(): void {
    this.registry.off('streamCreated', this.onCreated);
    this.registry.off('streamEnded', this.onGone);
    this.registry.off('streamFailed', this.onGone);
    for (const s of this.streams.values()) s.close();
    this.streams.clear();
    this.sessions.close();
  }

  private attach(stream: Stream): void {
    let hls = this.streams.get(stream.id);
    if (hls === undefined) {
      hls = new HlsStream(stream.id, this.options, this.log);
      this.streams.set(stream.id, hls);
    }
    hls.attach(stream);
    this.log.debug({ stream_id: stream.id }, 'hls segmenting');
  }

  private detach(stream: Stream): void {
    const hls = this.streams.get(stream.id);
    hls?.detach(stream, () => {
      // Expired after the end: forget it unless a new publish took it over meanwhile.
      if (this.streams.get(stream.id) === hls && hls.stream === undefined) {
        hls.close();
        this.streams.delete(stream.id);
      }
    });
  }
}
