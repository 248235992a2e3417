/** The one place error codes map to HTTP statuses; anything unlisted is a 500. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  STREAM_NOT_FOUND: 404,
  NOT_FOUND: 404,
  STREAM_ALREADY_PUBLISHING: 409,
  STREAM_ILLEGAL_TRANSITION: 409,
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  CONFIG_INVALID: 400,
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
