/**
 * What an archiver declares: the table, its primary key and time column, and
 * optionally children that travel with each parent row, plus an extra filter.
 */
export interface ChildTableSpec {
  table: string;
  key?: string;
  /** Column of the child that references the parent's key. */
  foreignKey: string;
}

export interface TableSpec {
  /** `table` or `schema.table`. */
  table: string;
  /** Primary key column (single column). */
  key: string;
  /** Timestamp column that decides eligibility and the month window. */
  time: string;
  /**
   * `age` (default): rows whose time is older than the retention cutoff.
   * `expired`: rows whose time (an expiry) is already in the past.
   */
  eligibility?: 'age' | 'expired';
  children?: ChildTableSpec[];
  /** Name used for archive files and folders instead of the table's, e.g. "expired_chunks". */
  archiveName?: string;
  /** Extra SQL predicate over the table (alias `t`), from trusted configuration. */
  filter?: string;
}
