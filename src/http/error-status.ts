/** The one place error codes map to HTTP statuses; anything unlisted is a 500. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  STREAM_NOT_FOUND: 404,
  NOT_FOUND: 404,
  STREAM_ALREADY_PUBLISHING: 409,
  STREAM_ILLEGAL_TRANSITION: 409,
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  CONFIG_INVALID: 400,
  AUTH_INVALID_TOKEN: 401,
  AUTH_REFRESH_REUSED: 401,
  AUTH_INVALID_CREDENTIALS: 401,
  AUTH_REQUIRED: 401,
  AUTH_FORBIDDEN: 403,
  AUTH_THROTTLED: 429,
  USER_EXISTS: 409,
  USER_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  STREAM_EXISTS: 409,
  PLAYBACK_UNAUTHORIZED: 401,
  PLAYBACK_FORBIDDEN: 403,
  WEBHOOK_NOT_FOUND: 404,
  WEBHOOK_URL_INVALID: 400,
  WEBHOOK_EVENT_UNKNOWN: 400,
  WEBHOOK_CURSOR_INVALID: 400,
  RECORDING_NOT_FOUND: 404,
  STORAGE_NOT_FOUND: 404,
  STORAGE_INVALID_PATH: 400,
  STORAGE_RANGE_NOT_SATISFIABLE: 416,
  STORAGE_FAILED: 502,
};

export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/** The JSON shape of every error the HTTP API returns. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}
