import { StoragePathError } from './errors.js';

const MAX_KEY = 1024;
const SEGMENT = /^[A-Za-z0-9._@=+,-][A-Za-z0-9._@=+, -]*$/;

/**
 * Checks a storage key and returns it unchanged when safe: a relative path of plain segments
 * separated by single slashes. Refused (StoragePathError): empty keys, absolute paths, `.` and
 * `..` segments, backslashes, NUL and other control bytes, percent signs (so `%2e%2e` can never be
 * decoded into a traversal by a layer that URL-decodes), drive letters and over-long keys.
 * A whitelist rather than a blacklist: a segment may hold letters, digits and `._@=+,- `.
 */
export function safeKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new StoragePathError(String(key), 'empty key');
  if (key.length > MAX_KEY) throw new StoragePathError(key.slice(0, 64), `longer than ${MAX_KEY} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new StoragePathError(key, 'control character');
  if (key.includes('\\')) throw new StoragePathError(key, 'backslash');
  if (key.includes('%')) throw new StoragePathError(key, 'percent-encoding');
  if (key.startsWith('/')) throw new StoragePathError(key, 'absolute path');
  if (/^[A-Za-z]:/.test(key)) throw new StoragePathError(key, 'drive letter');
  for (const segment of key.split('/')) {
    if (segment === '' ) throw new StoragePathError(key, 'empty segment');
    if (segment === '.' || segment === '..') throw new StoragePathError(key, 'dot segment');
    if (!SEGMENT.test(segment)) throw new StoragePathError(key, 'character outside the allowed set');
  }
  return key;
}

/** Checks a listing prefix: empty, or a safe key optionally ending with a slash. */
export function safePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  safeKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
