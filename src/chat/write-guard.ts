import { isEmoteOnly } from './emotes.js';
import {
  ChatBannedError,
  ChatContentRejectedError,
  ChatDuplicateError,
  ChatMutedError,
  ChatRateLimitedError,
} from './errors.js';
import type { ChatRoom } from './chat-room.js';
import type { UserStanding } from './moderation-store.js';
import { contentLength, normalizeContent } from './normalize.js';
import { TermMatcher } from './term-matcher.js';
import { TokenBucket } from './token-bucket.js';

/** What the guard decides about one post. */
export interface GuardInput {
  userId: string;
  room: ChatRoom;
  raw: string;
  standing: UserStanding;
  /** Moderators and broadcasters skip slow, emote-only and unique modes. */
  privileged: boolean;
}

/**
 * The checks a message passes before it is broadcast, in an order that spends nothing on a
 * message that will be refused anyway: standing, rate limit, content, room modes, filters.
 * Returns the content to send (masked when the profanity filter masks).
 */
export class WriteGuard {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Last accepted content per room and user. */
  private readonly lastContent = new Map<string, { content: string; at: number }>();
  private readonly profanity: TermMatcher;
  private readonly blockedCache = new Map<string, TermMatcher>();
  private sweeps = 0;

  constructor(
    private readonly o: {
      maxMessageLength: number;
      rateLimitPerSecond: number;
      duplicateWindowMs: number;
      profanity: { mode: 'off' | 'mask' | 'reject'; words: readonly string[] };
      now: () => number;
    },
  ) {
    this.profanity = new TermMatcher(o.profanity.mode === 'off' ? [] : o.profanity.words);
  }

  check(input: GuardInput): { normalized: string; content: string } {
    const { standing, room, userId } = input;
    if (standing.bannedGlobally || standing.bannedInRoom) throw new ChatBannedError(`you are banned from ${room.id}`);
    if (standing.muted) throw new ChatMutedError(`you are muted in ${room.id}`);
    if (standing.timedOut) throw new ChatMutedError(`you are timed out in ${room.id}`);

    const wait = this.bucket(userId).take();
    if (wait > 0) throw new ChatRateLimitedError(`more than ${this.o.rateLimitPerSecond} messages per second`, wait);

    const content = normalizeContent(input.raw);
    if (content === '') throw new ChatContentRejectedError('message is empty');
    const length = contentLength(content);
    if (length > this.o.maxMessageLength) throw new ChatContentRejectedError(`message has ${length} characters, more than ${this.o.maxMessageLength}`, { maxMessageLength: this.o.maxMessageLength });

    const now = this.o.now();
    const s = standing.settings;
    if (!input.privileged && s.slowSeconds > 0) {
      const last = room.lastPostAt.get(userId);
      const waitMs = last === undefined ? 0 : last + s.slowSeconds * 1000 - now;
      if (waitMs > 0) throw new ChatRateLimitedError(`slow mode: one message every ${s.slowSeconds} s`, waitMs);
    }
    const previous = this.lastContent.get(`${room.id}\u0000${userId}`);
    if (previous !== undefined && previous.content === content && now - previous.at < this.o.duplicateWindowMs) throw new ChatDuplicateError('you just sent this message');
    if (!input.privileged && s.emoteOnly && !isEmoteOnly(content)) throw new ChatContentRejectedError('emote-only mode: only emotes are allowed');
    if (!input.privileged && s.uniqueOnly && room.seenRecently(content)) throw new ChatDuplicateError('unique mode: this message was already posted');
    if (s.blockedTerms.length > 0 && this.blocked(s.blockedTerms).matches(content)) throw new ChatContentRejectedError('message contains a blocked term');

    if (this.o.profanity.mode === 'reject' && this.profanity.matches(content)) throw new ChatContentRejectedError('message contains a filtered word');
    return { normalized: content, content: this.o.profanity.mode === 'mask' ? this.profanity.mask(content) : content };
  }

  /** Records an accepted post (slow mode and duplicate suppression count only those). */
  accepted(userId: string, room: ChatRoom, content: string): void {
    const now = this.o.now();
    room.lastPostAt.set(userId, now);
    this.lastContent.set(`${room.id}\u0000${userId}`, { content, at: now });
    if (++this.sweeps % 1000 === 0) this.sweep(now);
  }

  private bucket(userId: string): TokenBucket {
    let b = this.buckets.get(userId);
    if (b === undefined) {
      const r = this.o.rateLimitPerSecond;
      b = new TokenBucket(r, Math.max(1, Math.ceil(r)), this.o.now);
      this.buckets.set(userId, b);
    }
    return b;
  }

  private blocked(terms: string[]): TermMatcher {
    const key = terms.join('\u0000');
    let m = this.blockedCache.get(key);
    if (m === undefined) {
      // Rooms rarely change their lists; a small cache of compiled lists is enough.
      if (this.blockedCache.size >= 256) this.blockedCache.clear();
      m = new TermMatcher(terms);
      this.blockedCache.set(key, m);
    }
    return m;
  }

  // Forget users who have been quiet long enough that their state is back to the start.
  private sweep(now: number): void {
    for (const [u, b] of this.buckets) if (b.idle()) this.buckets.delete(u);
    for (const [u, c] of this.lastContent) if (now - c.at >= this.o.duplicateWindowMs) this.lastContent.delete(u);
  }
}
