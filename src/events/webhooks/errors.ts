import { ZenLiveError } from '../../base/index.js';

/** A subscription URL we will not deliver to (not http/https, or not a URL at all). */
export class WebhookUrlInvalidError extends ZenLiveError {
  readonly code = 'WEBHOOK_URL_INVALID';
  constructor(
    readonly url: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`webhook url rejected: ${reason}`, options);
  }
}

/** An events filter naming an event ZenLive never emits (a typo would otherwise silently match nothing). */
export class WebhookEventUnknownError extends ZenLiveError {
  readonly code = 'WEBHOOK_EVENT_UNKNOWN';
  constructor(readonly eventType: string) {
    super(`unknown webhook event type: ${eventType}`);
  }
}

/** No subscription with this id. */
export class WebhookNotFoundError extends ZenLiveError {
  readonly code = 'WEBHOOK_NOT_FOUND';
  constructor(readonly webhookId: string) {
    super(`webhook ${webhookId} not found`);
  }
}

/** A pagination cursor that this store did not hand out. */
export class WebhookCursorInvalidError extends ZenLiveError {
  readonly code = 'WEBHOOK_CURSOR_INVALID';
  constructor(readonly cursor: string) {
    super('invalid pagination cursor');
  }
}
