/** A plain-text table: columns padded to their widest cell, a rule under the header. */
export function formatTable(headers: string[], rawRows: string[][]): string {
  // Control characters in stored names must not drive the terminal.
  const rows = rawRows.map((row) => row.map((cell) => cell.replace(/\p{Cc}/gu, '?')));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
