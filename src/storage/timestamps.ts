/**
 * Conversions between JS values and the column conventions of schema.ts: timestamps are UTC
 * text `YYYY-MM-DD HH:MM:SS` (Laravel's format, which both databases compare correctly as
 * text/timestamp), booleans are written as 0/1.
 */

/**
 * The last text made for a few seconds, by second modulo a prime: every token issued in one
 * second writes the same created and expiry times (an hour apart, so in different slots).
 */
const recent: { second: number; text: string }[] = Array.from({ length: 61 }, () => ({ second: Number.NaN, text: '' }));

/** `2026-11-23 14:31:27` in UTC; milliseconds are dropped, as Laravel does. */
export function toDbTimestamp(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  const slot = recent[(((second % 61) + 61) % 61) | 0]!;
  if (slot.second !== second) {
    slot.text = date.toISOString().slice(0, 19).replace('T', ' ');
    slot.second = second;
  }
  return slot.text;
}

// Also accepts what an imported Passport database may hold: a `T` separator, fractions, a zone.
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Reads a stored timestamp as UTC; null stays null. Throws on text that is not a timestamp. */
export function fromDbTimestamp(value: string | null): Date | null {
  if (value === null) return null;
  const match = TIMESTAMP.exec(value.trim());
  if (!match) throw new Error(`unreadable timestamp in database: ${JSON.stringify(value)}`);
  const [, day, time, zone] = match;
  const offset = zone === undefined || zone.toUpperCase() === 'Z' ? 'Z' : normaliseOffset(zone);
  const date = new Date(`${day}T${time}${offset}`);
  if (Number.isNaN(date.getTime())) throw new Error(`unreadable timestamp in database: ${JSON.stringify(value)}`);
  return date;
}

function normaliseOffset(zone: string): string {
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

/** SQLite cannot bind JS booleans; PostgreSQL reads 0/1 parameters as booleans. */
export function flag(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}
