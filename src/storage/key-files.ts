import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeySet, KeyType, VerificationKey } from '../oauth/signing-keys.js';
import {
  KeyError,
  buildKeySet,
  generateKeyPair,
  signingKeyFromPem,
  verificationKeyFromPem,
} from '../oauth/signing-keys.js';

/**
 * Signing keys on disk, as Passport keeps them: storage/oauth-private.key and
 * storage/oauth-public.key. Retired public keys (after `authgate keys --rotate`) live in
 * storage/oauth-retired-keys/ and still verify the tokens they signed.
 */
export const PRIVATE_KEY_FILE = 'oauth-private.key';
export const PUBLIC_KEY_FILE = 'oauth-public.key';
export const RETIRED_KEYS_DIR = 'oauth-retired-keys';

export interface KeySource {
  storagePath: string;
  privatePem?: string | undefined;
  publicPem?: string | undefined;
}

/** Loads the configured keys, or the files in storage/, generating an EC P-256 pair when there is none. */
export async function loadKeySet(source: KeySource, options: { generate: boolean }): Promise<KeySet> {
  const retired = await loadRetiredKeys(source.storagePath);
  if (source.privatePem) {
    return buildKeySet(await signingKeyFromPem(source.privatePem, source.publicPem), retired);
  }
  const privateFile = join(source.storagePath, PRIVATE_KEY_FILE);
  const publicFile = join(source.storagePath, PUBLIC_KEY_FILE);
  if (!existsSync(privateFile)) {
    if (!options.generate) throw new KeyError(`no signing key: set OAUTH_PRIVATE_KEY or run "authgate keys"`);
    writeKeyFiles(source.storagePath, generateKeyPair('ec'));
  }
  assertPrivate(privateFile);
  const publicPem = existsSync(publicFile) ? readFileSync(publicFile, 'utf8') : undefined;
  return buildKeySet(await signingKeyFromPem(readFileSync(privateFile, 'utf8'), publicPem), retired);
}

/** Passport refuses key files others can read; so do we (the owner's group may, as Passport's 660). */
function assertPrivate(file: string): void {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o007) {
    throw new KeyError(
      `${file} is readable by other users (mode ${mode.toString(8)}); run "chmod 600 ${file}"`,
    );
  }
}

export function writeKeyFiles(storagePath: string, pair: { privatePem: string; publicPem: string }): void {
  mkdirSync(storagePath, { recursive: true, mode: 0o700 });
  const privateFile = join(storagePath, PRIVATE_KEY_FILE);
  writeFileSync(privateFile, pair.privatePem, { mode: 0o600 });
  chmodSync(privateFile, 0o600);
  writeFileSync(join(storagePath, PUBLIC_KEY_FILE), pair.publicPem, { mode: 0o644 });
}

export interface CreateKeysOptions {
  storagePath: string;
  force?: boolean;
  rotate?: boolean;
  type?: KeyType;
  rsaBits?: number;
}

export type CreateKeysResult = { status: 'created' | 'rotated'; kid: string; retiredKid?: string } | { status: 'exists' };

/** `authgate keys`: create the key pair; `--rotate` retires the current public key and makes a new active one. */
export async function createKeyFiles(options: CreateKeysOptions): Promise<CreateKeysResult> {
  const privateFile = join(options.storagePath, PRIVATE_KEY_FILE);
  const exists = existsSync(privateFile);
  if (exists && !options.force && !options.rotate) return { status: 'exists' };
  let retiredKid: string | undefined;
  if (exists && options.rotate) {
    const current = await signingKeyFromPem(readFileSync(privateFile, 'utf8'));
    const dir = join(options.storagePath, RETIRED_KEYS_DIR);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${current.kid}.pub`), current.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    retiredKid = current.kid;
  }
  const pair = generateKeyPair(options.type ?? (options.rsaBits ? 'rsa' : 'ec'), options.rsaBits ?? 4096);
  writeKeyFiles(options.storagePath, pair);
  const key = await signingKeyFromPem(pair.privatePem);
  return {
    status: retiredKid ? 'rotated' : 'created',
    kid: key.kid,
    ...(retiredKid ? { retiredKid } : {}),
  };
}

async function loadRetiredKeys(storagePath: string): Promise<VerificationKey[]> {
  const dir = join(storagePath, RETIRED_KEYS_DIR);
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((name) => name.endsWith('.pub'));
  return Promise.all(files.map((name) => verificationKeyFromPem(readFileSync(join(dir, name), 'utf8'))));
}
