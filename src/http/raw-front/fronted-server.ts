import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ExchangeHandler } from '../../base/index.js';
import { RawConnection, type RawConnectionHost } from './raw-connection.js';

export interface RawFrontOptions {
  /** Answers hot-path requests; anything it declines goes to the full server with its connection. */
  handler: ExchangeHandler;
  /** A keep-alive connection with nothing to do is closed after this long. */
  keepAliveTimeoutMs: number;
  /** A request head that has not arrived whole after this long closes the connection. */
  headersTimeoutMs: number;
  maxHeadBytes: number;
}

type ConnectionListener = (socket: Socket) => void;

/**
 * node:http's server with a raw HTTP/1.1 front: every new connection is read by a small parser
 * that answers the hot path (HLS playlists and segments) itself — one write per response, no
 * request/response objects — and hands a connection to node:http, bytes and all, at the first
 * request it does not take (API, WebSocket upgrades, HTTP-FLV). The framework above sees an
 * ordinary node:http server, so listen, close and its own connections behave as usual.
 */
export class FrontedServer extends Server implements RawConnectionHost {
  readonly handler: ExchangeHandler;
  readonly maxHeadBytes: number;
  dateLine = '';
  private readonly rawConnections = new Set<RawConnection>();
  private readonly fullServerConnection: ConnectionListener;
  private readonly sweep: NodeJS.Timeout;
  now = Date.now();

  constructor(
    requestListener: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly front: RawFrontOptions,
  ) {
    super(requestListener);
    this.handler = front.handler;
    this.maxHeadBytes = front.maxHeadBytes;
    const [listener] = this.listeners('connection') as ConnectionListener[];
    if (listener === undefined) throw new Error('node:http did not install its connection listener');
    this.fullServerConnection = listener;
    this.removeListener('connection', listener);
    this.on('connection', (socket: Socket) => this.accept(socket));
    this.tick();
    // One timer for every connection's idle and header deadlines, instead of a socket timeout
    // re-armed on every read and write.
    this.sweep = setInterval(() => this.tick(), 1000);
    this.sweep.unref();
    this.once('close', () => clearInterval(this.sweep));
  }

  handOver(socket: Socket, unread: Buffer | undefined): void {
    socket.pause();
    if (unread !== undefined) socket.unshift(unread);
    this.fullServerConnection.call(this, socket);
    socket.resume();
  }

  forget(connection: RawConnection): void {
    this.rawConnections.delete(connection);
  }

  override closeIdleConnections(): void {
    super.closeIdleConnections();
    for (const c of this.rawConnections) if (c.idle) c.close();
  }

  override closeAllConnections(): void {
    super.closeAllConnections();
    for (const c of this.rawConnections) c.close();
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    this.rawConnections.add(new RawConnection(socket, this, this.now));
  }

  private tick(): void {
    this.now = Date.now();
    this.dateLine = `date: ${new Date(this.now).toUTCString()}\r\n`;
    for (const c of this.rawConnections) {
      const quiet = this.now - c.lastActive;
      if (c.idle ? quiet > this.front.keepAliveTimeoutMs : quiet > this.front.headersTimeoutMs && c.waitingForHead) c.close();
    }
  }
}
