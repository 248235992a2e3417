import { ZenLiveError } from '../../base/index.js';

/** `/watch/ID` with characters a stream id never has: there is no such page (HTTP 404). */
export class WatchPageNotFoundError extends ZenLiveError {
  readonly code = 'NOT_FOUND';
  constructor(readonly streamId: string) {
    super(`no watch page for ${JSON.stringify(streamId.slice(0, 64))}: stream ids use A-Z a-z 0-9 _ . - (at most 128)`);
  }
}

/** A file the watch page needs is missing from the installed package (a packaging mistake). */
export class WatchAssetMissingError extends ZenLiveError {
  readonly code = 'WATCH_ASSET_MISSING';
  constructor(
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(`watch page asset ${path} cannot be read; is it shipped with the package?`, options);
  }
}
