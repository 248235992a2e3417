import { paginate } from './client/pages.js';
import { seg, Transport, type ClientTokens, type TransportOptions } from './client/transport.js';
import type {
  CreatedStream,
  CreatedWebhook,
  CreateStreamInput,
  CreateUserInput,
  CreateWebhookInput,
  Jwks,
  Me,
  PageOptions,
  PlaybackToken,
  PlaybackTokenInput,
  PublishToken,
  PublishTokenInput,
  Renditions,
  RevokedKeys,
  Role,
  RotatedKey,
  Session,
  SignedIn,
  StreamAction,
  StreamList,
  StreamView,
  TokenPair,
  UpdateStreamInput,
  UpdateUserInput,
  UpdateWebhookInput,
  User,
  UserPage,
  Webhook,
  WebhookDelivery,
  WebhookList,
} from './client/types.js';

export type ZenLiveClientOptions = TransportOptions;

const page = (o: PageOptions = {}) => ({ limit: o.limit, cursor: o.cursor });

/**
 * A typed client of the ZenLive REST API, on fetch and nothing else:
 * `const api = new ZenLiveClient({ baseUrl }); await api.auth.login('alice', pw); await api.streams.create({ title })`.
 * It holds the access and refresh tokens; an access token refused as invalid or expired is
 * refreshed once (when a refresh token is held) and the call retried. Failures throw ZenLiveApiError.
 */
export class ZenLiveClient {
  private readonly t: Transport;

  constructor(options: ZenLiveClientOptions) {
    this.t = new Transport(options);
  }

  /** The tokens held now. */
  get tokens(): ClientTokens {
    return this.t.current;
  }

  /** Uses tokens obtained elsewhere (or clears them with `{}`). */
  setTokens(tokens: ClientTokens): void {
    this.t.setTokens(tokens);
  }

  readonly auth = {
    /** Signs in and keeps the tokens. */
    login: async (username: string, password: string): Promise<SignedIn> => {
      const signedIn = await this.t.call<SignedIn>({ method: 'POST', path: '/api/v1/auth/login', body: { username, password }, anonymous: true });
      this.t.adopt(signedIn);
      return signedIn;
    },
    /** Trades the held refresh token for a new pair and keeps it. */
    refresh: (): Promise<TokenPair> => this.t.refresh(),
    /** Ends this session and forgets the tokens. */
    logout: async (): Promise<void> => {
      await this.t.call<void>({ method: 'POST', path: '/api/v1/auth/logout' });
      this.t.setTokens({});
    },
    /** Ends every session of the signed-in user (this one too) and forgets the tokens. */
    logoutAll: async (): Promise<{ revoked: number }> => {
      const r = await this.t.call<{ revoked: number }>({ method: 'POST', path: '/api/v1/auth/logout-all' });
      this.t.setTokens({});
      return r;
    },
    me: (): Promise<Me> => this.t.call({ method: 'GET', path: '/api/v1/auth/me' }),
  };

  /** The built-in user directory (admins only). */
  readonly users = {
    create: (input: CreateUserInput): Promise<User> => this.t.call({ method: 'POST', path: '/api/v1/users', body: input }),
    list: (o?: PageOptions): Promise<UserPage> => this.t.call({ method: 'GET', path: '/api/v1/users', query: page(o) }),
    all: (o: { limit?: number } = {}): AsyncGenerator<User, void, undefined> => paginate((cursor) => this.users.list({ ...o, ...(cursor !== undefined ? { cursor } : {}) })),
    get: (id: string): Promise<User> => this.t.call({ method: 'GET', path: `/api/v1/users/${seg(id)}` }),
    update: (id: string, input: UpdateUserInput): Promise<User> => this.t.call({ method: 'PATCH', path: `/api/v1/users/${seg(id)}`, body: input }),
    /** Changes the role; the user's sessions end so it applies at once. */
    setRole: (id: string, role: Role): Promise<User> => this.users.update(id, { role }),
    delete: (id: string): Promise<void> => this.t.call({ method: 'DELETE', path: `/api/v1/users/${seg(id)}` }),
  };

  readonly streams = {
    /** Creates a catalog stream; `streamKey` in the answer is shown only this once. */
    create: (input: CreateStreamInput): Promise<CreatedStream> => this.t.call({ method: 'POST', path: '/api/v1/streams', body: input }),
    list: (o?: PageOptions): Promise<StreamList> => this.t.call({ method: 'GET', path: '/api/v1/streams', query: page(o) }),
    /** Every stream the caller may see, page after page. */
    all: (o: { limit?: number } = {}): AsyncGenerator<StreamView, void, undefined> =>
      paginate(async (cursor) => {
        const p = await this.streams.list({ ...o, ...(cursor !== undefined ? { cursor } : {}) });
        return { items: p.streams, nextCursor: p.nextCursor };
      }),
    get: (id: string): Promise<StreamView> => this.t.call({ method: 'GET', path: `/api/v1/streams/${seg(id)}` }),
    update: (id: string, input: UpdateStreamInput): Promise<StreamView> => this.t.call({ method: 'PATCH', path: `/api/v1/streams/${seg(id)}`, body: input }),
    delete: (id: string): Promise<void> => this.t.call({ method: 'DELETE', path: `/api/v1/streams/${seg(id)}` }),
    control: (id: string, action: StreamAction): Promise<StreamView> => this.t.call({ method: 'POST', path: `/api/v1/streams/${seg(id)}/${action}` }),
    start: (id: string): Promise<StreamView> => this.streams.control(id, 'start'),
    /** Ends the stream, hangs up on the publisher and refuses publishing until `start`. */
    stop: (id: string): Promise<StreamView> => this.streams.control(id, 'stop'),
    /** Stops delivery to viewers and keeps ingest. */
    pause: (id: string): Promise<StreamView> => this.streams.control(id, 'pause'),
    resume: (id: string): Promise<StreamView> => this.streams.control(id, 'resume'),
    rotateKey: (id: string): Promise<RotatedKey> => this.t.call({ method: 'POST', path: `/api/v1/streams/${seg(id)}/keys/rotate` }),
    revokeKeys: (id: string): Promise<RevokedKeys> => this.t.call({ method: 'POST', path: `/api/v1/streams/${seg(id)}/keys/revoke` }),
    publishToken: (id: string, input: PublishTokenInput = {}): Promise<PublishToken> => this.t.call({ method: 'POST', path: `/api/v1/streams/${seg(id)}/publish-token`, body: input }),
    playbackToken: (id: string, input: PlaybackTokenInput = {}): Promise<PlaybackToken> => this.t.call({ method: 'POST', path: `/api/v1/streams/${seg(id)}/playback-token`, body: input }),
    /** HLS renditions of a live stream (404 without HLS output). */
    renditions: (id: string): Promise<Renditions> => this.t.call({ method: 'GET', path: `/api/v1/streams/${seg(id)}/renditions` }),
  };

  readonly sessions = {
    /** Your sessions, or another user's with sessions:manage. */
    list: async (o: { userId?: string } = {}): Promise<Session[]> => (await this.t.call<{ items: Session[] }>({ method: 'GET', path: '/api/v1/sessions', query: { userId: o.userId } })).items,
    revoke: (id: string): Promise<void> => this.t.call({ method: 'DELETE', path: `/api/v1/sessions/${seg(id)}` }),
  };

  readonly webhooks = {
    /** Subscribes a URL; `secret` in the answer is shown only this once. */
    create: (input: CreateWebhookInput): Promise<CreatedWebhook> => this.t.call({ method: 'POST', path: '/api/v1/webhooks', body: input }),
    list: (o?: PageOptions): Promise<WebhookList> => this.t.call({ method: 'GET', path: '/api/v1/webhooks', query: page(o) }),
    all: (o: { limit?: number } = {}): AsyncGenerator<Webhook, void, undefined> =>
      paginate(async (cursor) => {
        const p = await this.webhooks.list({ ...o, ...(cursor !== undefined ? { cursor } : {}) });
        return { items: p.webhooks, nextCursor: p.nextCursor };
      }),
    get: (id: string): Promise<Webhook> => this.t.call({ method: 'GET', path: `/api/v1/webhooks/${seg(id)}` }),
    update: (id: string, input: UpdateWebhookInput): Promise<Webhook> => this.t.call({ method: 'PATCH', path: `/api/v1/webhooks/${seg(id)}`, body: input }),
    delete: (id: string): Promise<void> => this.t.call({ method: 'DELETE', path: `/api/v1/webhooks/${seg(id)}` }),
    /** Queues a `webhook.test` event for this subscription. */
    test: (id: string): Promise<{ eventId: string }> => this.t.call({ method: 'POST', path: `/api/v1/webhooks/${seg(id)}/test` }),
    /** The delivery log, newest first. */
    deliveries: async (id: string): Promise<WebhookDelivery[]> => (await this.t.call<{ deliveries: WebhookDelivery[] }>({ method: 'GET', path: `/api/v1/webhooks/${seg(id)}/deliveries` })).deliveries,
  };

  health(): Promise<{ status: 'ok' }> {
    return this.t.call({ method: 'GET', path: '/healthz', anonymous: true });
  }

  /** Resolves once the server is ready; a server starting or stopping throws ZenLiveApiError with status 503. */
  ready(): Promise<{ status: 'ready' }> {
    return this.t.call({ method: 'GET', path: '/readyz', anonymous: true });
  }

  jwks(): Promise<Jwks> {
    return this.t.call({ method: 'GET', path: '/.well-known/jwks.json', anonymous: true });
  }
}
