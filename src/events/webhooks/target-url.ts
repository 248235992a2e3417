import { WebhookUrlInvalidError } from './errors.js';

/** Accepts absolute http/https URLs only: other schemes (file:, data:, ftp:...) have no business here. */
export function checkTargetUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new WebhookUrlInvalidError(url, 'not an absolute URL', { cause: err });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new WebhookUrlInvalidError(url, `scheme ${parsed.protocol} is not http or https`);
  return parsed.href;
}
