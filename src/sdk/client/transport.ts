import { apiErrorFrom, ZenLiveApiError } from './api-error.js';
import type { TokenPair } from './types.js';

/** The tokens a client holds; handed to `onTokens` whenever they change (sign-in, refresh, sign-out). */
export interface ClientTokens {
  accessToken?: string | undefined;
  refreshToken?: string | undefined;
}

export interface TransportOptions extends ClientTokens {
  /** `http://host:port` of the ZenLive HTTP server (a path prefix is kept). */
  baseUrl: string;
  /** Another fetch, e.g. one with a proxy agent; globalThis.fetch by default. */
  fetch?: typeof globalThis.fetch;
  /** Called with the new tokens after each change, to persist them. */
  onTokens?: (tokens: ClientTokens) => void;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

export interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined> | undefined;
  body?: unknown;
  /** Send no bearer token (sign-in, refresh, public documents). */
  anonymous?: boolean;
}

/**
 * Sends API calls with the bearer token, turns failures into ZenLiveApiError, and, when an access
 * token is refused as invalid or expired and a refresh token is held, refreshes once and retries.
 * Concurrent calls that all meet an expired token share one refresh: refresh tokens are single use.
 */
export class Transport {
  private tokens: ClientTokens;
  private refreshing: Promise<void> | undefined;
  private readonly base: string;
  private readonly fetchFn: typeof globalThis.fetch;

  constructor(private readonly options: TransportOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.tokens = { accessToken: options.accessToken, refreshToken: options.refreshToken };
  }

  get current(): ClientTokens {
    return { ...this.tokens };
  }

  setTokens(tokens: ClientTokens): void {
    this.tokens = { ...tokens };
    this.options.onTokens?.(this.current);
  }

  /** Stores the pair of a sign-in or refresh. */
  adopt(pair: TokenPair): void {
    this.setTokens({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
  }

  async call<T>(call: Call): Promise<T> {
    const sentWith = this.tokens.accessToken;
    try {
      return await this.send<T>(call);
    } catch (err) {
      if (!this.shouldRefresh(call, err)) throw err;
      // Another call may have refreshed while this one was in flight: only refresh a token we sent.
      if (this.tokens.accessToken === sentWith) await this.refreshOnce();
      return this.send<T>(call);
    }
  }

  /** Trades the held refresh token for a new pair (rotation: the new refresh token replaces the old). */
  async refresh(): Promise<TokenPair> {
    const refreshToken = this.tokens.refreshToken;
    if (refreshToken === undefined) throw new ZenLiveApiError(0, 'CLIENT_NO_REFRESH_TOKEN', 'no refresh token: sign in first');
    const pair = await this.send<TokenPair>({ method: 'POST', path: '/api/v1/auth/refresh', body: { refreshToken }, anonymous: true });
    this.adopt(pair);
    return pair;
  }

  private shouldRefresh(call: Call, err: unknown): boolean {
    return err instanceof ZenLiveApiError && err.status === 401 && err.code === 'AUTH_INVALID_TOKEN' && call.anonymous !== true && this.tokens.refreshToken !== undefined;
  }

  private refreshOnce(): Promise<void> {
    this.refreshing ??= this.refresh().then(
      () => {
        this.refreshing = undefined;
      },
      (err: unknown) => {
        this.refreshing = undefined;
        throw err;
      },
    );
    return this.refreshing;
  }

  private async send<T>(call: Call): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.anonymous !== true && this.tokens.accessToken !== undefined) headers['authorization'] = `Bearer ${this.tokens.accessToken}`;
    let res: Response;
    try {
      res = await this.fetchFn(this.url(call), { method: call.method, headers, ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}) });
    } catch (err) {
      throw new ZenLiveApiError(0, 'API_UNREACHABLE', `${call.method} ${call.path}: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
    }
    if (!res.ok) throw await apiErrorFrom(res);
    const text = await res.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new ZenLiveApiError(res.status, 'API_BAD_RESPONSE', `${call.method} ${call.path}: answer is not JSON`, { body: text.slice(0, 200) }, { cause: err });
    }
  }

  private url(call: Call): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.base}${call.path}${qs !== '' ? `?${qs}` : ''}`;
  }
}

/** Encodes one path segment (ids may hold `.` or `@`, never a `/` that would change the route). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
