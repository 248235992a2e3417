import type { VerifyCredentials } from '../auth/index.js';
import { createLogger, type Logger } from '../base/index.js';
import { ZenLiveApp } from '../app/index.js';
import type { ChatApi } from '../chat/index.js';
import { parseConfig, type ZenLiveConfig, type ZenLiveConfigInput } from '../config/index.js';
import type { ZenLiveEventName, ZenLiveEvents } from '../events/index.js';
import { describeStream, type AuthorizePublish, type StreamInfo } from '../hub/index.js';

/** Options that are code rather than config: hooks and an optional logger of the app's own. */
export interface ZenLiveOptions {
  /** Decides who may publish (awaited before a stream goes live). Allows everyone when absent. */
  authorizePublish?: AuthorizePublish;
  /** Checks logins against the app's own accounts instead of the built-in user directory (`auth.users_file`). */
  verifyCredentials?: VerifyCredentials;
  /** A pino logger to use instead of the one built from `logging` config. */
  logger?: Logger;
}

/** Read access to the streams of this node. */
export interface StreamsApi {
  list(): StreamInfo[];
  get(id: string): StreamInfo | undefined;
}

/**
 * ZenLive embedded in an app: `const live = await createZenLive(config); await live.start();`.
 * Events carry plain snapshots, so listeners can store them as they are.
 */
export class ZenLive {
  readonly streams: StreamsApi;

  constructor(private readonly app: ZenLiveApp) {
    this.streams = {
      list: () => app.registry.list().map((s) => describeStream(s)),
      get: (id) => {
        const s = app.registry.get(id);
        return s === undefined ? undefined : describeStream(s);
      },
    };
  }

  /** Chat rooms: `onMessage` hooks (veto/transform), `send`, `broadcast`, `moderate`, rooms, presence, history. */
  get chat(): ChatApi {
    const api = this.app.chatApi;
    if (api === undefined) throw new Error('chat is disabled: set chat.enabled to true');
    return api;
  }

  /** The validated, frozen configuration in force. */
  get config(): ZenLiveConfig {
    return this.app.config;
  }

  /** The RTMP port actually bound (useful with port 0); undefined before start or with RTMP off. */
  get rtmpPort(): number | undefined {
    return this.app.rtmpPort;
  }

  /** The HTTP port actually bound; undefined before start. */
  get httpPort(): number | undefined {
    return this.app.httpPort;
  }

  get running(): boolean {
    return this.app.running;
  }

  start(): Promise<void> {
    return this.app.start();
  }

  /** Graceful stop: publishers and players are closed cleanly, listeners released. */
  stop(): Promise<void> {
    return this.app.stop();
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends ZenLiveEventName>(event: K, listener: (...args: ZenLiveEvents[K]) => unknown): () => void {
    return this.app.bus.on(event, listener);
  }

  once<K extends ZenLiveEventName>(event: K, listener: (...args: ZenLiveEvents[K]) => unknown): () => void {
    return this.app.bus.once(event, listener);
  }

  off<K extends ZenLiveEventName>(event: K, listener: (...args: ZenLiveEvents[K]) => unknown): void {
    this.app.bus.off(event, listener);
  }

  /** Replaces the publish authorization hook; takes effect for the next publish. */
  setAuthorizePublish(hook: AuthorizePublish | undefined): void {
    this.app.setAuthorizePublish(hook);
  }
}

/** Validates `config` (throws ConfigError naming each bad key) and builds a ZenLive that is ready to start. */
export async function createZenLive(config: ZenLiveConfigInput | ZenLiveConfig = {}, options: ZenLiveOptions = {}): Promise<ZenLive> {
  const parsed = parseConfig(config);
  const logger = options.logger ?? createLogger({ level: parsed.logging.level, format: parsed.logging.format });
  const hooks = {
    ...(options.authorizePublish !== undefined ? { authorizePublish: options.authorizePublish } : {}),
    ...(options.verifyCredentials !== undefined ? { verifyCredentials: options.verifyCredentials } : {}),
  };
  return new ZenLive(new ZenLiveApp(parsed, hooks, logger));
}
