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

const durationUnitsSeconds = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/**
 * Parses a duration with its unit, `90s`, `30m`, `2h`, `1d`, into seconds. A bare number is refused:
 * `--ttl 30` could mean seconds or minutes, and the wrong guess drains a region 60 times too long.
 * @example parseDurationSeconds('30m', '--ttl') // → 1800
 */
export function parseDurationSeconds(text: string, flag: string): number {
  const match = /^(\d{1,7})([smhd])$/.exec(text.trim());
  if (match === null) {
    const bare = /^\d{1,7}$/.test(text.trim()) ? ` (a unit is required: ${text.trim()}s or ${text.trim()}m?)` : '';
    throw new UsageError(`${flag} must be a duration with a unit, like 90s, 30m, 2h or 1d, got "${text}"${bare}`);
  }
  const seconds = Number(match[1]) * durationUnitsSeconds[match[2] as keyof typeof durationUnitsSeconds];
  if (seconds < 1) throw new UsageError(`${flag} must be at least 1 second, got "${text}"`);
  return seconds;
}

/**
 * An `--since` value as epoch ms: a duration back from now (`10m`, `2h`, `7d`), epoch ms, or ISO 8601.
 * @example parseSinceMs('10m', Date.parse('2026-12-03T10:00:00Z')) // → Date.parse('2026-12-03T09:50:00Z')
 */
export function parseSinceMs(text: string, nowMs: number): number {
  const trimmed = text.trim();
  if (/^\d{1,7}[smhd]$/.test(trimmed)) return nowMs - parseDurationSeconds(trimmed, '--since') * 1000;
  const ms = /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  if (!Number.isFinite(ms) || ms < 0) throw new UsageError(`--since must be a duration back from now (10m, 2h, 7d), epoch ms or an ISO 8601 time, got "${text}"`);
  return ms;
}
