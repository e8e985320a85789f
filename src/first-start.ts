import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import type { SigningKey } from './oauth/signing-keys.js';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from './storage/key-files.js';

/**
 * Before anything is opened: notes what does not exist yet (so this start creates it, and says
 * so once it serves), and creates the storage folder private (0700, whatever the umask) when it
 * is absent, before the APP_KEY, the keys or the database are written into it.
 */
export function prepareStorage(config: Config): Missing {
  const missing = whatIsMissing(config);
  if (!existsSync(config.storagePath)) {
    mkdirSync(config.storagePath, { recursive: true, mode: 0o700 });
    chmodSync(config.storagePath, 0o700);
  }
  return missing;
}

/** What does not exist before the start, so the start will create it. */
export interface Missing {
  appKeyFile?: string;
  privateKeyFile?: string;
  publicKeyFile?: string;
  databaseFile?: string;
}

export function whatIsMissing(config: Config): Missing {
  const missing: Missing = {};
  const file = (name: string) => join(config.storagePath, name);
  if (config.appKey === undefined && !existsSync(file('app.key'))) missing.appKeyFile = file('app.key');
  if (config.oauthPrivateKey === undefined && !existsSync(file(PRIVATE_KEY_FILE))) {
    missing.privateKeyFile = file(PRIVATE_KEY_FILE);
    missing.publicKeyFile = file(PUBLIC_KEY_FILE);
  }
  const sqlite = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice('sqlite:'.length) : undefined;
  if (sqlite !== undefined && sqlite !== ':memory:' && !existsSync(sqlite)) missing.databaseFile = sqlite;
  return missing;
}

const KEY_TYPES: Record<string, string> = { ES256: 'EC P-256', RS256: 'RSA', EdDSA: 'Ed25519' };

export interface StartFacts {
  signingKey: Pick<SigningKey, 'alg' | 'kid'>;
  /** The personal access client, and whether this start created it. */
  personalAccessClient: { id: string; created: boolean };
  urls: string[];
  appUrl: string;
}

/**
 * The lines a first start prints (plain text on stdout, not log JSON): what it created and where
 * it serves. Empty when this start created nothing.
 */
export function firstStartLines(missing: Missing, facts: StartFacts): string[] {
  const lines: string[] = [];
  if (missing.databaseFile) lines.push(`Created the SQLite database ${missing.databaseFile} (private, mode 0600)`);
  if (missing.privateKeyFile) {
    const type = KEY_TYPES[facts.signingKey.alg] ?? facts.signingKey.alg;
    lines.push(`Created the signing key ${missing.privateKeyFile} (${type}, ${facts.signingKey.alg}, kid ${facts.signingKey.kid}, mode 0600)`);
    lines.push(`  and its public key ${missing.publicKeyFile ?? ''}`);
  }
  if (missing.appKeyFile) lines.push(`Created APP_KEY in ${missing.appKeyFile} (mode 0600): every node must share it`);
  if (facts.personalAccessClient.created) lines.push(`Created the personal access client ${facts.personalAccessClient.id}`);
  if (lines.length === 0) return [];
  const where = facts.urls.join(' and ');
  lines.push(facts.urls.includes(facts.appUrl) ? `Authgate is serving ${where}` : `Authgate is serving ${where} (APP_URL ${facts.appUrl})`);
  return lines;
}
