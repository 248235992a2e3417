/** The root of every error ZenLive throws on purpose: each carries a stable machine-readable code. */
export abstract class ZenLiveError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bytes that do not follow the format they claim to be; `offset` points at the first bad byte. */
export class ParseError extends ZenLiveError {
  readonly code: string = 'PARSE_ERROR';

  constructor(
    message: string,
    readonly offset: number,
    options?: ErrorOptions,
  ) {
    super(`${message} (at byte ${offset})`, options);
  }
}
