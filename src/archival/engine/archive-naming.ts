/**
 * Archive keys and windows: one window per calendar month (UTC) of the time
 * column, split into numbered parts.
 *   {table}/{table}_{YYYY-MM-DD}_to_{YYYY-MM-DD}_part-NNNN.{jsonl|parquet}[.gz|.zst][.enc]
 * The end date is the window's last day, inclusive.
 */
export interface MonthWindow {
  /** Inclusive start, first instant of the month (UTC). */
  start: Date;
  /** Exclusive end, first instant of the next month (UTC). */
  end: Date;
}

export function monthWindow(instant: Date): MonthWindow {
  const start = new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), 1));
  const end = new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth() + 1, 1));
  return { start, end };
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The window's last day (inclusive), as used in names and the catalog's end_date. */
export function lastDay(window: MonthWindow): Date {
  return new Date(window.end.getTime() - 86_400_000);
}

export function partitionName(table: string, window: MonthWindow, part: number): string {
  const number = String(part).padStart(4, '0');
  return `${table}_${isoDate(window.start)}_to_${isoDate(lastDay(window))}_part-${number}`;
}

export function archiveKey(table: string, window: MonthWindow, part: number, extension: string): string {
  return `${table}/${partitionName(table, window, part)}${extension}`;
}

export function manifestKey(archiveKey: string): string {
  return `${archiveKey}.manifest.json`;
}
