/** The request headers the hot-path handlers read; the raw front parses only these. */
export type ExchangeHeader = 'range' | 'if-none-match' | 'user-agent' | 'authorization' | 'origin';

/**
 * One HTTP request and its response as a hot-path handler sees it, whichever server parsed it:
 * the raw HTTP/1.1 front (one object per connection, reused for every request on it) or node:http
 * (an adapter per request). Handlers answer with one `respond`, synchronously or later.
 */
export interface HttpExchange {
  readonly method: string;
  /** Path and query as sent, e.g. `/live/demo/index.m3u8?_HLS_msn=4`. */
  readonly url: string;
  readonly remoteAddress: string | undefined;
  header(name: ExchangeHeader): string | undefined;
  /**
   * Sends the whole response. `headers` is a flat `[name, value, ...]` list; for HEAD pass the
   * body's length in content-length and `undefined` as body.
   */
  respond(status: number, headers: readonly string[], body: Buffer | string | undefined): void;
  /** Sends a prepared response (a GET's): the same as `respond` with its parts, built into bytes once. */
  respondPrepared(response: PreparedResponse): void;
  /** Whether `respond` was called. */
  readonly answered: boolean;
  /** Drops the connection: for failures after a response has begun. */
  abort(): void;
  /** Calls `fn` if the client goes away before the response; returns a function that cancels it. */
  onGone(fn: () => void): () => void;
}

/** Takes a request (returns true) or leaves it to the web framework (returns false, having sent nothing). */
export type ExchangeHandler = (exchange: HttpExchange) => boolean;

/**
 * A response sent unchanged to many requests (a playlist between two updates). The raw front keeps
 * its whole bytes, status line to body, and rebuilds them only when the date line changes (once a
 * second) instead of assembling headers per request.
 */
export class PreparedResponse {
  /** Filled by the raw front: the keep-alive bytes and the date line they carry. */
  bytes: Buffer | undefined;
  bytesDateLine = '';

  constructor(
    readonly status: number,
    /** Flat `[name, value, ...]` like `respond`'s. */
    readonly headers: readonly string[],
    readonly body: string | Buffer,
  ) {}
}
