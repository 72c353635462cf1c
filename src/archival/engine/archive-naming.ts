/**
 * Archive keys and windows: one window per calendar month (UTC) of the time
 * column, split into numbered parts, in Hive-style folders:
 *   {schema}.{name}/year=YYYY/month=MM/{name}_{YYYY-MM-DD}_to_{YYYY-MM-DD}_part-NNNN-{unique}.{jsonl|parquet}[.gz|.zst][.enc]
 * The end date is the window's last day, inclusive. `{unique}` comes from the
 * writing run's id, so no two writers ever share a key: not two jobs on one
 * table, not same-named tables in two schemas, not two catalogs on one store.
 * Archives written before this layout keep their flat `{name}/...` keys (the
 * catalog holds each key).
 */
export interface MonthWindow {
  /** Inclusive start, first instant of the month (UTC). */
  start: Date;
  /** Exclusive end, first instant of the next month (UTC). */
  end: Date;
}

export function monthWindow(instant: Date): MonthWindow {
  return { start: firstOfMonth(instant.getUTCFullYear(), instant.getUTCMonth()), end: firstOfMonth(instant.getUTCFullYear(), instant.getUTCMonth() + 1) };
}

/** Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear takes every year as it is. */
function firstOfMonth(year: number, month: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 1);
  return date;
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

export interface ArchiveKeyParts {
  schema: string;
  /** The archive name: the table's, or the one its spec gives (memory_chunks → expired_chunks). */
  name: string;
  window: MonthWindow;
  part: number;
  /** Unique to the writer, e.g. from its run id: lower-case letters and digits. */
  unique: string;
  extension: string;
}

export function archiveKey({ schema, name, window, part, unique, extension }: ArchiveKeyParts): string {
  const year = String(window.start.getUTCFullYear()).padStart(4, '0');
  const month = String(window.start.getUTCMonth() + 1).padStart(2, '0');
  const file = `${partitionName(pathSegment(name), window, part)}-${unique}${extension}`;
  return `${pathSegment(schema)}.${pathSegment(name)}/year=${year}/month=${month}/${file}`;
}

/**
 * A name as a key segment: letters, digits, `_`, `$` and `-` as they are,
 * every other byte percent-encoded (so `.` and `/` cannot split the key, and
 * `"Odd Names"` becomes `Odd%20Names`).
 */
export function pathSegment(name: string): string {
  return [...Buffer.from(name, 'utf8')]
    .map((byte) => (/[A-Za-z0-9_$-]/.test(String.fromCharCode(byte)) && byte < 0x80 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** The writer-unique part of a run's keys: the first 12 hex digits of its uuid. */
export function uniqueOfRun(runId: string): string {
  return runId.replace(/-/g, '').slice(0, 12).toLowerCase();
}

export function manifestKey(archiveKey: string): string {
  return `${archiveKey}.manifest.json`;
}
