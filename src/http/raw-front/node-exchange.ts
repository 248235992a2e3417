import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExchangeHeader, HttpExchange, PreparedResponse } from '../../base/index.js';

/** A node:http request/response pair seen as an `HttpExchange` (connections the raw front handed over). */
export class NodeExchange implements HttpExchange {
  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {}

  get method(): string {
    return this.req.method ?? '';
  }

  get url(): string {
    return this.req.url ?? '';
  }

  get remoteAddress(): string | undefined {
    return this.req.socket.remoteAddress;
  }

  get answered(): boolean {
    return this.res.headersSent;
  }

  header(name: ExchangeHeader): string | undefined {
    const v = this.req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  }

  respond(status: number, headers: readonly string[], body: Buffer | string | undefined): void {
    if (this.res.headersSent) return;
    this.res.writeHead(status, headers as string[]);
    this.res.end(body);
  }

  respondPrepared(response: PreparedResponse): void {
    this.respond(response.status, response.headers, this.method === 'HEAD' ? undefined : response.body);
  }

  abort(): void {
    this.res.destroy();
  }

  onGone(fn: () => void): () => void {
    // The response's close, not the request's: a GET's request side closes once it is read.
    this.res.once('close', fn);
    return () => this.res.off('close', fn);
  }
}
