import { fromDbTimestamp } from '../timestamps.js';

/** Reads a JSON array-of-strings column (scopes, grant types); null or junk reads as null. */
export function readStringArray(text: string | null): string[] | null {
  if (text === null || text === '') return null;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value;
  } catch {
    // Fall through: a malformed column must not take down a request that reads it.
  }
  return null;
}

/**
 * A timestamp the domain requires. Passport leaves some nullable (an imported row may hold
 * null); null reads as the epoch, so a missing expiry counts as expired — failing closed.
 */
export function readRequiredDate(value: string | null): Date {
  return fromDbTimestamp(value) ?? new Date(0);
}

/**
 * Client ids live in `char(36)` columns (Passport's type); PostgreSQL pads shorter values —
 * e.g. the integer ids of a Passport < 9 import — with spaces on the way out.
 */
export function readClientId(value: string): string {
  return value.trimEnd();
}

/** Reads a JSON object column (registered client metadata); null or junk reads as null. */
export function readJsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null || text === '') return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Fall through, as readStringArray.
  }
  return null;
}
