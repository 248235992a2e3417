import { exportJWK, importPKCS8, importSPKI, type CryptoKey, type JWK } from 'jose';
import { SigningKeyError } from './errors.js';

/** Algorithms a signing key may be pinned to; anything else (including `none`) is refused. */
export const SIGNING_ALGORITHMS = ['HS256', 'EdDSA', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** One configured key: an HS256 secret, or an EdDSA / RS256 key pair in PEM (public only = verify only). */
export interface SigningKeyConfig {
  kid: string;
  alg: string;
  secret?: string;
  privateKey?: string;
  publicKey?: string;
}

/** A key ready for jose, pinned to its one algorithm. */
export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  signKey: CryptoKey | Uint8Array | undefined;
  verifyKey: CryptoKey | Uint8Array;
  /** Public JWK for the JWKS document (asymmetric keys only). */
  publicJwk: JWK | undefined;
}

function isAlgorithm(alg: string): alg is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(alg);
}

/** Imports one configured key; throws SigningKeyError naming the kid when it cannot be used. */
export async function importSigningKey(config: SigningKeyConfig): Promise<SigningKey> {
  const { kid, alg } = config;
  if (!isAlgorithm(alg)) throw new SigningKeyError(kid, `alg "${alg}" is not one of ${SIGNING_ALGORITHMS.join(', ')}`);
  if (alg === 'HS256') {
    if (config.secret === undefined || config.secret.length === 0) throw new SigningKeyError(kid, 'HS256 needs a secret');
    if (config.privateKey !== undefined || config.publicKey !== undefined) throw new SigningKeyError(kid, 'an HS256 key takes a secret, not a key pair');
    const bytes = new TextEncoder().encode(config.secret);
    return { kid, alg, signKey: bytes, verifyKey: bytes, publicJwk: undefined };
  }
  if (config.secret !== undefined) throw new SigningKeyError(kid, `an ${alg} key takes a key pair, not a secret`);
  if (config.publicKey === undefined) throw new SigningKeyError(kid, `${alg} needs public_key (PEM, SPKI)`);
  try {
    const verifyKey = await importSPKI(config.publicKey, alg, { extractable: true });
    const signKey = config.privateKey !== undefined ? await importPKCS8(config.privateKey, alg) : undefined;
    const publicJwk = { ...(await exportJWK(verifyKey)), kid, alg, use: 'sig' };
    return { kid, alg, signKey, verifyKey, publicJwk };
  } catch (err) {
    throw new SigningKeyError(kid, `cannot import the ${alg} key: ${(err as Error).message}`, { cause: err });
  }
}
