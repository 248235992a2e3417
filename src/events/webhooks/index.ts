export { WebhookService, WEBHOOK_TEST_EVENT, type CreateWebhookInput, type WebhookServiceOptions } from './webhook-service.js';
export { WebhookDispatcher } from './webhook-dispatcher.js';
export { MemoryWebhookStore } from './memory-subscription-store.js';
export { FileWebhookStore } from './file-subscription-store.js';
export type { WebhookStore, WebhookPage, WebhookPatch } from './subscription-store.js';
export type { WebhookSubscription, WebhookSubscriptionView, WebhookDeliveryStats, WebhookEvent, DeliveryRecord } from './subscription.js';
export { DEFAULT_DELIVERY_OPTIONS, type WebhookDeliveryOptions } from './delivery-options.js';
export {
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type VerifyWebhookOptions,
  type WebhookHeaders,
  type WebhookVerification,
  type WebhookVerificationFailure,
} from './signature.js';
export { forwardBusToWebhooks, webhookData, WEBHOOK_BUS_EVENT_TYPES, type WebhookSink } from './bus-bridge.js';
export { WebhookCursorInvalidError, WebhookEventUnknownError, WebhookNotFoundError, WebhookUrlInvalidError } from './errors.js';
