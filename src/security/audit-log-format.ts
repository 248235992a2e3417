import { createHash } from 'node:crypto';

/** The `prev` of the first line: no line came before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** One security-relevant action, as an area hands it to the audit sink. */
export interface AuditEvent {
  /** Dotted action name, e.g. `auth.login.failed`, `stream_key.rotated`. */
  type: string;
  /** Who did it: a user id, `anonymous`, or `system`. */
  actor?: string;
  /** What it was done to, e.g. a stream id or a user id. */
  target?: string;
  /** Where the request came from. */
  ip?: string;
  /** Anything else worth keeping; never secrets (keys, passwords, tokens). */
  data?: Record<string, unknown>;
}

/** A line as written: the event plus its position, time and the hash of the line before it. */
export interface AuditRecord extends AuditEvent {
  seq: number;
  ts: string;
  prev: string;
}

/** The SHA-256 (hex) of a line's text without its newline: what the next line's `prev` holds. */
export function hashLine(line: string): string {
  return createHash('sha256').update(line, 'utf8').digest('hex');
}

/** Serialises a record as one line; `prev` is last so a reader sees the content first. */
export function formatRecord(record: AuditRecord): string {
  const { seq, ts, type, actor, target, ip, data, prev } = record;
  return JSON.stringify({ seq, ts, type, actor, target, ip, data, prev });
}

/** The newest line's position and hash, kept beside the log so a cut-off tail is noticed. */
export interface AuditHead {
  seq: number;
  hash: string;
}
