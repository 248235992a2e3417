import { ZenLiveError } from '../../base/index.js';

/**
 * An answer of the API that is not a success, or no answer at all. `code` is the server's stable
 * code (`VALIDATION_FAILED`, `AUTH_INVALID_TOKEN`, `STREAM_NOT_FOUND`...), or `API_UNREACHABLE`
 * (status 0) when the request never got an answer, or `API_BAD_RESPONSE` when the answer was not
 * the API's JSON error shape.
 */
export class ZenLiveApiError extends ZenLiveError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** For VALIDATION_FAILED: the first failing field, e.g. `title` or `cursor`. */
  get field(): string | undefined {
    const f = this.details['field'];
    return typeof f === 'string' ? f : undefined;
  }
}

/** Reads the API's `{error: {code, message, details}}` from a failed response. */
export async function apiErrorFrom(res: Response): Promise<ZenLiveApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const e = body.error;
    if (e !== undefined && typeof e.code === 'string') {
      const details = e.details !== null && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {};
      return new ZenLiveApiError(res.status, e.code, typeof e.message === 'string' ? e.message : e.code, details);
    }
  } catch {
    // Not JSON: a proxy's page or a truncated body; reported below with the status.
  }
  return new ZenLiveApiError(res.status, 'API_BAD_RESPONSE', `HTTP ${res.status} without an API error body`, { body: text.slice(0, 200) });
}
