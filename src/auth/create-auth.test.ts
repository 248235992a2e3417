import { describe, expect, it } from 'vitest';
import { testAuthOptions } from '../../test/helpers/auth-options.js';
import { createAuth, type AuthOptions } from './create-auth.js';
import { WeakSecretError } from './errors.js';
import { secretWeakness } from './secret-strength.js';

function options(over: Partial<AuthOptions> = {}): AuthOptions {
  return testAuthOptions({
    jwtSecret: 'k'.repeat(8) + 'Zq3!x9Lp0vB7nM2cR5tY8wE1uI4oP6aS',
    loginThrottle: { maxFailuresPerAccount: 5, maxFailuresPerIp: 20, windowSeconds: 900 },
    streamKeyThrottle: { maxFailuresPerIp: 10, windowSeconds: 300 },
    ...over,
  });
}

describe('createAuth', () => {
  it('refuses production start-up with an empty, default or short secret, naming the key', async () => {
    for (const [secret, why] of [['', /empty/], ['changeme', /default/], ['short-but-random-9f8e', /shorter than 32 bytes/]] as const) {
      const err = await createAuth(options({ jwtSecret: secret })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WeakSecretError);
      expect((err as WeakSecretError).key).toBe('auth.jwt_secret');
      expect((err as Error).message).toMatch(why);
    }
    const hsKey = await createAuth(options({ jwtSecret: '', jwtKeys: [{ kid: 'k1', alg: 'HS256', secret: 'tooshort' }] })).catch((e: unknown) => e);
    expect((hsKey as WeakSecretError).key).toBe('auth.jwt_keys[0].secret');
  });

  it('accepts a weak secret outside production, and a strong one in production', async () => {
    await expect(createAuth(options({ environment: 'development', jwtSecret: '' }))).resolves.toMatchObject({ enabled: true });
    const auth = await createAuth(options());
    expect(auth.authorizePublish).toBeTypeOf('function');
    expect(auth.authorizePlay).toBeTypeOf('function');
  });

  it('with auth disabled, no authorizers are installed (publish and play stay open)', async () => {
    const auth = await createAuth(options({ enabled: false, jwtSecret: '' }));
    expect(auth.authorizePublish).toBeUndefined();
    expect(auth.authorizePlay).toBeUndefined();
  });

  it('secretWeakness explains each weakness', () => {
    expect(secretWeakness('x'.repeat(40))).toBeUndefined();
    expect(secretWeakness('please-change-me-please-change-me-now')).toMatch(/default/);
  });
});
