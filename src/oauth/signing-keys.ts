import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { calculateJwkThumbprint, exportJWK } from 'jose';

export type SigningAlgorithm = 'ES256' | 'RS256' | 'EdDSA';
export type KeyType = 'ec' | 'rsa' | 'ed25519';

export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  publicKey: KeyObject;
  jwk: JWK;
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

/** The active signing key plus every public key still accepted (rotation keeps retired ones). */
export interface KeySet {
  active: SigningKey;
  verification: Map<string, VerificationKey>;
}

export class KeyError extends Error {
  override name = 'KeyError';
}

/** The key's type picks the algorithm: EC P-256 → ES256, RSA → RS256, Ed25519 → EdDSA. */
export function algorithmFor(key: KeyObject): SigningAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new KeyError('EC signing keys must use the P-256 curve');
      }
      return 'ES256';
    case 'rsa':
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new KeyError('RSA signing keys must have at least 2048 bits');
      return 'RS256';
    case 'ed25519':
      return 'EdDSA';
    default:
      throw new KeyError(`unsupported key type ${key.asymmetricKeyType ?? 'unknown'}; use EC P-256, RSA or Ed25519`);
  }
}

export async function verificationKeyFromPem(publicPem: string): Promise<VerificationKey> {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(publicPem);
  } catch {
    throw new KeyError('the public key is not a readable PEM key');
  }
  const alg = algorithmFor(publicKey);
  const jwk = await exportJWK(publicKey);
  // RFC 7638 thumbprint: the same key always gets the same kid, on every node.
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, publicKey, jwk: { ...jwk, kid, alg, use: 'sig' } };
}

export async function signingKeyFromPem(privatePem: string, publicPem?: string): Promise<SigningKey> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privatePem);
  } catch {
    throw new KeyError('the private key is not a readable PEM key');
  }
  const derivedPublic = createPublicKey(privateKey);
  const publicText = derivedPublic.export({ type: 'spki', format: 'pem' }).toString();
  if (publicPem !== undefined) {
    const given = createPublicKey(publicPem).export({ type: 'spki', format: 'pem' }).toString();
    if (given !== publicText) throw new KeyError('the public key does not belong to the private key');
  }
  return { ...(await verificationKeyFromPem(publicText)), privateKey };
}

export interface GeneratedKeyPair {
  privatePem: string;
  publicPem: string;
}

export function generateKeyPair(type: KeyType = 'ec', rsaBits = 4096): GeneratedKeyPair {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: rsaBits })
      : type === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function buildKeySet(active: SigningKey, retired: VerificationKey[] = []): KeySet {
  const verification = new Map<string, VerificationKey>();
  for (const key of [active, ...retired]) verification.set(key.kid, key);
  return { active, verification };
}

/** The JWKS document (RFC 7517): every public key still accepted, active first. */
export function publicJwks(keys: KeySet): { keys: JWK[] } {
  return { keys: [...keys.verification.values()].map((key) => key.jwk) };
}
