import type { DatabaseHandle } from './database.js';
import type { PassportImportResult } from './passport-import.js';
import { PassportImportError, importPassport } from './passport-import.js';
import type { PassportSource, SourceLocation } from './passport-source.js';
import { SourceUrlError, openPassportSource, parseSourceUrl, sourceTables } from './passport-source.js';

export type { ImportedTable, PassportImportResult } from './passport-import.js';
export { IMPORTED_TABLES } from './passport-import.js';

/** Why an import did not run: a bad source address (`usage`), or a source that could not be read or imported. */
export class PassportImportFailure extends Error {
  override name = 'PassportImportFailure';
  constructor(
    readonly kind: 'usage' | 'failure',
    message: string,
  ) {
    super(message);
  }
}

/** A Passport database that answered, with its tables listed: ready to be copied. */
export interface OpenedPassportSource {
  /** The source as it may be shown (no password). */
  display: string;
  copyInto(target: DatabaseHandle): Promise<PassportImportResult>;
  close(): Promise<void>;
}

/**
 * Opens a Laravel Passport database and reads its table list. Done before the target is
 * opened, so a bad address or an unreachable source changes nothing.
 */
export async function openPassportDatabase(sourceUrl: string): Promise<OpenedPassportSource> {
  const location = parseLocation(sourceUrl);
  const source = openPassportSource(location);
  let tables: Awaited<ReturnType<typeof sourceTables>>;
  try {
    tables = await sourceTables(source);
  } catch (error) {
    await source.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new PassportImportFailure('failure', `Cannot read the Passport database ${location.display}: ${reason || 'connection failed'}`);
  }
  return {
    display: location.display,
    copyInto: (target) => copy(source, tables, target),
    close: () => source.close(),
  };
}

/** Copies every Passport table into `target` in one transaction: on any error nothing is written. */
async function copy(source: PassportSource, tables: Awaited<ReturnType<typeof sourceTables>>, target: DatabaseHandle): Promise<PassportImportResult> {
  try {
    return await importPassport(source, tables, target);
  } catch (error) {
    if (error instanceof PassportImportError) throw new PassportImportFailure('failure', `${error.message} Nothing was imported.`);
    throw error;
  }
}

function parseLocation(sourceUrl: string): SourceLocation {
  try {
    return parseSourceUrl(sourceUrl);
  } catch (error) {
    if (error instanceof SourceUrlError) throw new PassportImportFailure('usage', error.message);
    throw error;
  }
}
