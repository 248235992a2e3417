import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a receiver authenticates a ZenLive webhook.
 *
 * Every delivery carries three headers:
 * - `ZenLive-Webhook-Id`: the event id, identical on every retry (use it to drop duplicates);
 * - `ZenLive-Webhook-Timestamp`: Unix seconds when this attempt was signed (changes per retry);
 * - `ZenLive-Webhook-Signature`: `v1=` followed by the lowercase hex HMAC-SHA256, keyed with the
 *   subscription's secret (the whole `whsec_...` string as UTF-8), of `${id}.${timestamp}.${body}`
 *   where `body` is the raw request body exactly as received. Several space-separated `v1=` values
 *   may appear; one matching is enough.
 *
 * Verify against the raw bytes before parsing JSON, and refuse timestamps outside a small window
 * so a captured request cannot be replayed later.
 */
export const WEBHOOK_ID_HEADER = 'ZenLive-Webhook-Id';
export const WEBHOOK_TIMESTAMP_HEADER = 'ZenLive-Webhook-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'ZenLive-Webhook-Signature';

const SCHEME = 'v1=';
const DEFAULT_TOLERANCE_SECONDS = 300;

/** Computes the `ZenLive-Webhook-Signature` header value for one delivery attempt. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return SCHEME + mac.digest('hex');
}

/** Why a delivery failed verification. */
export type WebhookVerificationFailure = 'missing-header' | 'malformed' | 'outside-tolerance' | 'mismatch';

export type WebhookVerification = { valid: true; id: string; timestamp: number } | { valid: false; reason: WebhookVerificationFailure };

/** Request headers as Node's `IncomingMessage` or fetch's `Headers` give them. */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

export interface VerifyWebhookOptions {
  /** The subscription secret shown once when it was created. */
  secret: string;
  headers: WebhookHeaders;
  /** The raw request body, before any JSON parsing. */
  body: string | Uint8Array;
  /** Accepted distance between the signed timestamp and now; 300 s by default. */
  toleranceSeconds?: number;
  /** Current time in epoch milliseconds, for tests; `Date.now()` by default. */
  nowMs?: number;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name.toLowerCase()] ?? headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * Checks a received webhook: the signature must match one `v1=` value (constant-time compare) and
 * the timestamp must lie within the tolerance window.
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): WebhookVerification {
  const id = header(options.headers, WEBHOOK_ID_HEADER);
  const ts = header(options.headers, WEBHOOK_TIMESTAMP_HEADER);
  const signature = header(options.headers, WEBHOOK_SIGNATURE_HEADER);
  if (id === undefined || ts === undefined || signature === undefined) return { valid: false, reason: 'missing-header' };
  if (!/^\d{1,12}$/.test(ts) || id.length === 0) return { valid: false, reason: 'malformed' };
  const timestamp = Number(ts);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) return { valid: false, reason: 'outside-tolerance' };

  const expected = Buffer.from(signWebhook(options.secret, id, timestamp, options.body).slice(SCHEME.length), 'hex');
  const candidates = signature.split(/[\s,]+/).filter((part) => part.startsWith(SCHEME));
  if (candidates.length === 0) return { valid: false, reason: 'malformed' };
  let matched = false;
  for (const candidate of candidates) {
    const hex = candidate.slice(SCHEME.length);
    if (!/^[0-9a-f]{64}$/.test(hex)) continue;
    // every candidate is compared, so the time taken does not reveal which one matched
    if (timingSafeEqual(Buffer.from(hex, 'hex'), expected)) matched = true;
  }
  return matched ? { valid: true, id, timestamp } : { valid: false, reason: 'mismatch' };
}
