/** What to do after one delivery attempt got an HTTP answer. */
export type StatusVerdict = 'delivered' | 'retry' | 'final';

/**
 * 2xx is delivered. 408, 429 and 5xx are the receiver's temporary trouble: retry. Every other
 * status is final: 4xx says the request itself is refused (410 Gone means "stop sending"), and 3xx
 * is not followed because a webhook must not be redirected to a host nobody subscribed.
 */
export function classifyStatus(status: number): StatusVerdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'final';
}

/** Exponential backoff with full jitter: a uniform wait in [0, min(max, initial·2^(attempt-1))). */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

// RFC 9110 §5.6.7: IMF-fixdate, the only HTTP-date form a sender may generate.
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) as a wait in ms;
 * undefined when absent or unreadable, 0 for a date already past.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed), Number.MAX_SAFE_INTEGER / 1000) * 1000;
  if (!IMF_FIXDATE.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
