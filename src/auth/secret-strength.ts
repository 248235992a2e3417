import { WeakSecretError } from './errors.js';

/** Secrets people copy from examples; never acceptable in production. */
const KNOWN_DEFAULTS = new Set(['secret', 'changeme', 'change-me', 'change_me', 'zenlive', 'default', 'password', 'jwt_secret', 'your-secret', 'your-secret-key', 'dev-secret', 'development']);

/** 32 bytes: the HMAC-SHA256 key length; shorter secrets can be brute-forced offline from one token. */
export const MIN_SECRET_BYTES = 32;

/** Why a secret is weak, or undefined when it is fine. */
export function secretWeakness(secret: string): string | undefined {
  if (secret.length === 0) return 'is empty';
  if (KNOWN_DEFAULTS.has(secret.toLowerCase()) || /change.?me|example|placeholder/i.test(secret)) return 'is a default or example value';
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) return `is shorter than ${MIN_SECRET_BYTES} bytes`;
  return undefined;
}

/**
 * Refuses start-up in production with a weak secret: throws WeakSecretError naming the config key.
 * `secrets` maps config key names (e.g. `auth.jwt_secret`) to the values in use.
 */
export function assertStrongSecrets(environment: string, secrets: Readonly<Record<string, string>>): void {
  if (environment !== 'production') return;
  for (const [key, value] of Object.entries(secrets)) {
    const weakness = secretWeakness(value);
    if (weakness !== undefined) throw new WeakSecretError(key, `${weakness}; production needs a random secret of at least ${MIN_SECRET_BYTES} bytes (e.g. openssl rand -base64 48)`);
  }
}
