/** Plain-text tables for human output: a header row, a rule, then left-aligned columns. */
import { UsageError } from '../io';

/** Longest cell shown; longer text is cut with an ellipsis. */
export const cellLengthMax = 80;

/**
 * @example renderTable(['TARGET', 'STATE'], [['eu-west-1', 'drained']])
 * // TARGET     STATE
 * // ---------  -------
 * // eu-west-1  drained
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cut = (cell: string) => (cell.length > cellLengthMax ? `${cell.slice(0, cellLengthMax - 1)}…` : cell);
  const cells = rows.map((row) => headers.map((_, i) => cut(row[i] ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** A time as ISO 8601 without milliseconds (UTC), or '-' when absent. */
export function formatTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Parses a duration such as `30m`, `2h`, `90s`, `1d` (or plain seconds) into seconds.
 * @example parseDurationSeconds('30m') // → 1800
 */
export function parseDurationSeconds(text: string, flag: string): number {
  const match = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (match === null) throw new UsageError(`${flag} must be a duration like 90s, 30m, 2h or 1d, got "${text}"`);
  const unitSeconds = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unitSeconds;
  if (seconds < 1) throw new UsageError(`${flag} must be at least 1 second, got "${text}"`);
  return seconds;
}
