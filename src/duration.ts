const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/**
 * Parses a duration into seconds: `3600`, `90s`, `15m`, `1h`, `30d`, `2w`, `1y`,
 * or ISO 8601 (`P1Y`, `PT1H30M`; a year is 365 days, a month 30). Undefined when unreadable.
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const short = /^(\d+)\s*([smhdwy])$/i.exec(value);
  if (short) return Number(short[1]) * (UNIT_SECONDS[short[2]!.toLowerCase()] ?? 0);
  const iso = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(value);
  if (!iso || value.toUpperCase() === 'P' || value.toUpperCase().endsWith('T')) return undefined;
  const [, y, mo, w, d, h, mi, s] = iso.map((part) => Number(part ?? 0));
  return (y! * 365 + mo! * 30 + w! * 7 + d!) * 86400 + h! * 3600 + mi! * 60 + s!;
}
