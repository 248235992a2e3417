export { createHttpApp, type HttpAppOptions } from './server.js';
export { errorBody, statusForCode, type ErrorBody } from './error-status.js';
export { registerApiDocs, zodRouteSchema, type ApiDocsOptions, type DocumentedRouteOptions, type ZodRouteSchemas } from './openapi.js';
export { registerWebhookRoutes, type WebhookRouteOptions } from './routes/webhooks.js';
export { createGuard, installAuthErrorHandler, parseWith, principalOf, PageQuery, RequestValidationError, type Guard, type GuardOptions, type ResourceLocator } from './guard.js';
export { registerAuthRoutes, type AuthRoutesOptions } from './routes/auth.js';
export { registerUserRoutes, type UserRoutesOptions } from './routes/users.js';
export { registerSessionRoutes, type SessionRoutesOptions } from './routes/sessions.js';
export { registerStreamAdminRoutes, managedStreamView, visibleTo, type ManagedStreamView, type StreamAdminRoutesOptions } from './routes/stream-admin.js';
