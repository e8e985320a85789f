/** Laravel's JSON timestamp: `2026-11-23T14:35:10.000000Z` (microseconds, UTC). */
export function jsonTime(date: Date | null | undefined): string | null {
  if (!date) return null;
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
