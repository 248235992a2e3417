import { monotonicMs } from '../../base/index.js';
import { classifyStatus, parseRetryAfter } from './retry-policy.js';
import { signWebhook, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './signature.js';

/** One signed POST to send. */
export interface AttemptRequest {
  url: string;
  secret: string;
  eventId: string;
  body: string;
  timeoutMs: number;
  /** Aborts the request when the subscription is deleted or the app stops. */
  signal: AbortSignal;
  userAgent: string;
}

/** What one attempt came to. `aborted` means we cancelled it ourselves: no verdict, no retry. */
export interface AttemptResult {
  verdict: 'delivered' | 'retry' | 'final';
  aborted: boolean;
  status: number | null;
  error: string | null;
  retryAfterMs: number | undefined;
  durationMs: number;
}

/** POSTs one webhook with Node's fetch (undici): signed, time-limited, redirects not followed. */
export async function attemptDelivery(req: AttemptRequest): Promise<AttemptResult> {
  const started = monotonicMs();
  const elapsed = (): number => Math.round(monotonicMs() - started);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error('timeout')), req.timeoutMs);
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.any([req.signal, timeout.signal]),
      headers: {
        'content-type': 'application/json',
        'user-agent': req.userAgent,
        [WEBHOOK_ID_HEADER]: req.eventId,
        [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
        [WEBHOOK_SIGNATURE_HEADER]: signWebhook(req.secret, req.eventId, timestamp, req.body),
      },
    });
    // the answer is the status; dropping the body keeps a huge or endless one from costing memory
    await res.body?.cancel().catch(() => undefined);
    const verdict = classifyStatus(res.status);
    return {
      verdict,
      aborted: false,
      status: res.status,
      error: verdict === 'delivered' ? null : `HTTP ${res.status}`,
      retryAfterMs: verdict === 'retry' ? parseRetryAfter(res.headers.get('retry-after'), Date.now()) : undefined,
      durationMs: elapsed(),
    };
  } catch (err) {
    if (req.signal.aborted) return { verdict: 'final', aborted: true, status: null, error: 'cancelled', retryAfterMs: undefined, durationMs: elapsed() };
    const error = timeout.signal.aborted ? `timeout after ${req.timeoutMs} ms` : describeNetworkError(err);
    return { verdict: 'retry', aborted: false, status: null, error, retryAfterMs: undefined, durationMs: elapsed() };
  } finally {
    clearTimeout(timer);
  }
}

// undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND...) in `cause`.
function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause !== undefined && typeof cause.code === 'string') return `${err.message}: ${cause.code}`;
  if (cause !== undefined && typeof cause.message === 'string') return `${err.message}: ${cause.message}`;
  return err.message;
}
