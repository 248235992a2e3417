import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../base/index.js';
import type { AuthorizePlay, AuthorizePublish, StreamRegistry } from '../../hub/index.js';
import type { ChunkReaderLimits } from './chunk/index.js';
import { RtmpTimeoutError } from './errors.js';
import { RtmpFrameFormat } from './rtmp-format.js';
import { RtmpServerSession, type RtmpServerContext } from './server-session.js';

/** Everything the RTMP server takes from config and the composition root. */
export interface RtmpServerOptions {
  host: string;
  port: number;
  apps: readonly string[];
  chunkSize: number;
  windowAckSize: number;
  maxMessageSize: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  maxConnections: number;
  registry: StreamRegistry;
  authorizePublish?: AuthorizePublish;
  /** Who may play; everyone when omitted. */
  authorizePlay?: AuthorizePlay;
  logger: Logger;
}

/** The RTMP listener: accepts publishers and players and maps them onto the hub. */
export class RtmpServer {
  private readonly server: Server;
  private readonly sessions = new Set<RtmpServerSession>();
  private readonly ctx: RtmpServerContext;
  private readonly log: Logger;
  private watchdog: NodeJS.Timeout | undefined;
  private nextId = 1;

  constructor(private readonly options: RtmpServerOptions) {
    this.log = options.logger.child({ component: 'rtmp' });
    const limits: ChunkReaderLimits = {
      maxMessageSize: options.maxMessageSize,
      maxInFlightBytes: options.maxMessageSize * 2,
      maxChunkStreams: 64,
    };
    this.ctx = {
      registry: options.registry,
      authorizePublish: options.authorizePublish,
      authorizePlay: options.authorizePlay,
      apps: options.apps,
      chunkSize: options.chunkSize,
      windowAckSize: options.windowAckSize,
      sharedFormat: new RtmpFrameFormat(options.chunkSize, 1, true),
      settings: { limits, handshakeTimeoutMs: options.handshakeTimeoutMs, idleTimeoutMs: options.idleTimeoutMs },
      logger: this.log,
    };
    this.server = createServer((socket) => this.accept(socket));
    this.server.maxConnections = options.maxConnections;
  }

  /** Lets the app change who may publish after start (e.g. `live.setAuthorizePublish`). */
  setAuthorizePublish(hook: AuthorizePublish | undefined): void {
    this.ctx.authorizePublish = hook;
  }

  /** Lets the app change who may play after start. */
  setAuthorizePlay(hook: AuthorizePlay | undefined): void {
    this.ctx.authorizePlay = hook;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.watchdog = setInterval(() => this.checkIdlePublishers(), 1000);
    this.watchdog.unref();
    this.log.info({ host: this.options.host, port: this.port }, 'rtmp listening');
    return this.port;
  }

  get port(): number {
    const address = this.server.address();
    return address !== null && typeof address === 'object' ? address.port : 0;
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  /** Stops accepting, ends every session (players are told the stream ended), and waits for the sockets. */
  async close(timeoutMs: number): Promise<void> {
    clearInterval(this.watchdog);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.publishing?.stream.end('server-stopping');
    for (const session of this.sessions) session.end();
    const deadline = setTimeout(() => {
      for (const session of this.sessions) session.socket.destroy();
    }, timeoutMs);
    await closed;
    clearTimeout(deadline);
  }

  private accept(socket: Socket): void {
    const session = new RtmpServerSession(socket, this.ctx, `rtmp-${this.nextId++}`);
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
  }

  private checkIdlePublishers(): void {
    const now = performance.now();
    for (const session of this.sessions) {
      if (session.publishing !== undefined && now - session.lastMediaAt > this.options.idleTimeoutMs) {
        session.abort(new RtmpTimeoutError(`publisher sent no media for ${this.options.idleTimeoutMs} ms`));
      }
    }
  }
}
