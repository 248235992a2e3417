import type { Stream, Subscription } from '../../hub/index.js';

interface Session {
  streamId: string;
  lastSeen: number;
  viewer: Subscription;
  stream: Stream;
}

/**
 * Counts HLS viewers per session: a player is one viewer while it keeps fetching playlists
 * (keyed by the `s` token our master playlist hands out, else by address and user agent).
 */
export class HlsSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;
  private nextId = 1;

  constructor(private readonly timeoutMs: number) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(5000, timeoutMs / 2));
    this.sweeper.unref();
  }

  /** A new session token for a master playlist response. */
  newToken(): string {
    return `${(this.nextId++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  }

  /** Notes a fetch by session `key` of a stream; joins it as a viewer on first sight. */
  touch(key: string, stream: Stream, remoteAddress: string | undefined): void {
    const now = Date.now();
    const existing = this.sessions.get(key);
    if (existing !== undefined && existing.stream === stream) {
      existing.lastSeen = now;
      return;
    }
    existing?.viewer.unsubscribe();
    const viewer = stream.addPullViewer({ id: `hls-${key}`, protocol: 'hls', ...(remoteAddress !== undefined ? { remoteAddress } : {}) });
    this.sessions.set(key, { streamId: stream.id, lastSeen: now, viewer, stream });
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const s of this.sessions.values()) s.viewer.unsubscribe();
    this.sessions.clear();
  }

  private sweep(): void {
    const cutoff = Date.now() - this.timeoutMs;
    for (const [key, s] of this.sessions) {
      if (s.lastSeen < cutoff || s.stream.state === 'ENDED' || s.stream.state === 'FAILED') {
        s.viewer.unsubscribe();
        this.sessions.delete(key);
      }
    }
  }
}
