import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a verified key maps to: the public stream id and its owner. */
export interface StreamKeyMatch {
  streamId: string;
  ownerId: string;
}

interface StoredKey extends StreamKeyMatch {
  hash: Buffer;
  createdAt: number;
  /** Epoch ms after which the key stops working (set when rotated away); undefined = no end. */
  expiresAt: number | undefined;
}

/** A stored key as it is saved to disk: its hash, never the key. */
export interface SavedStreamKey {
  hashHex: string;
  streamId: string;
  ownerId: string;
  createdAt: number;
  expiresAt: number | null;
}

/** A new key, shown once to its owner and never again. */
export interface IssuedStreamKey {
  key: string;
  streamId: string;
  createdAt: number;
}

/** Stream keys are random, so one SHA-256 is enough (no salt or slow hash: nothing to guess). */
function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Secret stream keys: 192 random bits, URL-safe, stored only as SHA-256. Rotation keeps the old key
 * valid for a grace period (the encoder can be switched over without a gap); revoke ends them all now.
 */
export class StreamKeyStore {
  private readonly byHash = new Map<string, StoredKey>();
  /** Called after every change, so a store can persist the keys. */
  onChange: (() => void) | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** The stored hashes, for saving. */
  snapshot(): SavedStreamKey[] {
    return [...this.byHash.values()].map((k) => ({ hashHex: k.hash.toString('hex'), streamId: k.streamId, ownerId: k.ownerId, createdAt: k.createdAt, expiresAt: k.expiresAt ?? null }));
  }

  /** Loads saved hashes (at start-up, before any key is used). */
  restore(saved: readonly SavedStreamKey[]): void {
    for (const k of saved) this.byHash.set(k.hashHex, { streamId: k.streamId, ownerId: k.ownerId, hash: Buffer.from(k.hashHex, 'hex'), createdAt: k.createdAt, expiresAt: k.expiresAt ?? undefined });
  }

  /** Issues the first key of a stream (or another one, if it already has keys). */
  issue(streamId: string, ownerId: string): IssuedStreamKey {
    // 'sk_' then base64url: matches the RTMP stream-name alphabet and never starts with '-'.
    const key = `sk_${randomBytes(24).toString('base64url')}`;
    const hash = digest(key);
    const createdAt = this.now();
    this.byHash.set(hash.toString('hex'), { streamId, ownerId, hash, createdAt, expiresAt: undefined });
    this.onChange?.();
    return { key, streamId, createdAt };
  }

  /** Issues a new key; the stream's current keys keep working for `graceMs` more. */
  rotate(streamId: string, ownerId: string, graceMs: number): IssuedStreamKey {
    const until = this.now() + graceMs;
    for (const k of this.byHash.values()) {
      if (k.streamId === streamId && (k.expiresAt === undefined || k.expiresAt > until)) k.expiresAt = until;
    }
    return this.issue(streamId, ownerId);
  }

  /** Every key of the stream stops working now; returns how many were live. */
  revoke(streamId: string): number {
    let n = 0;
    for (const [h, k] of this.byHash) {
      if (k.streamId !== streamId) continue;
      this.byHash.delete(h);
      if (k.expiresAt === undefined || k.expiresAt > this.now()) n++;
    }
    this.onChange?.();
    return n;
  }

  /** The stream a key publishes to, or undefined for an unknown, expired or revoked key. */
  verify(key: string): StreamKeyMatch | undefined {
    const hash = digest(key);
    const stored = this.byHash.get(hash.toString('hex'));
    // The map lookup is by a hash of the secret; the final byte compare is constant-time anyway.
    if (stored === undefined || !timingSafeEqual(stored.hash, hash)) return undefined;
    if (stored.expiresAt !== undefined && stored.expiresAt <= this.now()) {
      this.byHash.delete(hash.toString('hex'));
      return undefined;
    }
    return { streamId: stored.streamId, ownerId: stored.ownerId };
  }

  /** How many keys of the stream work now (the API shows counts, never keys). */
  activeKeyCount(streamId: string): number {
    const now = this.now();
    let n = 0;
    for (const k of this.byHash.values()) if (k.streamId === streamId && (k.expiresAt === undefined || k.expiresAt > now)) n++;
    return n;
  }
}
