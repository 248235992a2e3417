import { ZenLiveError } from '../base/index.js';

/** The configuration cannot be used; `problems` name each bad key as a dotted path. */
export class ConfigError extends ZenLiveError {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`, options);
  }
}
