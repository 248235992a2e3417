import { buildTextFrame } from './ws-frame.js';
import type { ClientConnection } from './client-connection.js';
import type { ChatMessage } from './types.js';

interface Stored {
  message: ChatMessage;
  json: string;
}

/**
 * A room as one node sees it: its local clients, the recent history, and the events waiting for
 * the next tick. Events queue as pre-serialised JSON; at the tick they become ONE WebSocket frame
 * written to every client.
 */
export class ChatRoom {
  readonly clients = new Set<ClientConnection>();
  /** Local users, by user id, with how many of their connections are in the room. */
  readonly users = new Map<string, { name: string; connections: number }>();
  private readonly history: Stored[] = [];
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = -Infinity;
  private readonly recentContent = new Map<string, number>();
  /** Last accepted post per user, for slow mode (ms). */
  readonly lastPostAt = new Map<string, number>();
  idleSince: number;
  framesSent = 0;

  constructor(
    readonly id: string,
    private readonly historySize: number,
    private readonly tickMs: number,
    private readonly maxTickMs: number,
    private readonly uniqueWindow: number,
    now: number,
  ) {
    this.idleSince = now;
  }

  /** Queues one serialised event for every local client at the next tick. */
  enqueue(json: string): void {
    if (this.clients.size === 0) return;
    this.pending.push(json);
    // ticks keep a steady cadence from the last flush, so the time a big room spends writing is
    // not added to every message's wait
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), Math.max(0, this.lastFlushAt + this.currentTickMs() - performance.now()));
  }

  /**
   * The tick grows with the audience, one ms per 100 clients between tickMs and maxTickMs: each
   * tick costs one socket write per client, so a 10,000-client room writes 10 times a second
   * instead of 50, while small rooms keep the short tick's latency.
   */
  currentTickMs(): number {
    return Math.min(this.maxTickMs, Math.max(this.tickMs, this.clients.size / 100));
  }

  /** Sends what is queued now as one frame. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    this.lastFlushAt = performance.now();
    const frame = buildTextFrame(Buffer.from(this.pending.join('\n')));
    this.pending = [];
    this.framesSent++;
    for (const c of this.clients) c.writeFrame(frame);
  }

  addMessage(message: ChatMessage, json: string): void {
    if (this.historySize > 0) {
      this.history.push({ message, json });
      if (this.history.length > this.historySize) this.history.shift();
    }
    const key = message.content.toLowerCase();
    this.recentContent.delete(key);
    this.recentContent.set(key, message.ts);
    // Map keeps insertion order: the first key is the oldest.
    while (this.recentContent.size > this.uniqueWindow) {
      const oldest = this.recentContent.keys().next().value;
      if (oldest === undefined) break;
      this.recentContent.delete(oldest);
    }
  }

  /** True when the same content (case-insensitive) was posted recently (unique-message mode). */
  seenRecently(content: string): boolean {
    return this.recentContent.has(content.toLowerCase());
  }

  historyJson(): string[] {
    return this.history.map((s) => s.json);
  }

  historyMessages(): ChatMessage[] {
    return this.history.map((s) => s.message);
  }

  findMessage(id: string): ChatMessage | undefined {
    return this.history.find((s) => s.message.id === id)?.message;
  }

  deleteMessages(predicate: (m: ChatMessage) => boolean): void {
    for (let i = this.history.length - 1; i >= 0; i--) {
      const s = this.history[i];
      if (s !== undefined && predicate(s.message)) this.history.splice(i, 1);
    }
  }

  clearHistory(): void {
    this.history.length = 0;
  }

  get hasHistory(): boolean {
    return this.history.length > 0;
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}
