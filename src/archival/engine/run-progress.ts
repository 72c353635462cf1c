/**
 * A running run's progress, kept in memory by the process that runs it: the
 * engine reports each table's planned rows (the window planner's counts), the
 * window it is in, and each purged part; GET runs/:id and the CLI's progress
 * bar read snapshots. A run in another replica has none here.
 */
export interface ProgressSnapshot {
  /** Rows of the jobs' tables (children not counted) purged so far. */
  rows: number;
  /** Eligible rows planned so far: the tables the run reached, as the planner counted them. */
  plannedRows: number;
  percent: number | null;
  table: string | null;
  window: string | null;
  rowsPerSecond: number;
  /** Seconds left at the current rate for the planned rows; null until a rate is known. */
  etaSeconds: number | null;
  startedAt: string;
  /** Why the run waits for the database right now (reason and reading), or null. */
  throttled: string | null;
}

export class RunProgress {
  private rows = 0;
  private plannedRows = 0;
  private table: string | null = null;
  private window: string | null = null;
  private throttledBy: string | null = null;

  constructor(private readonly started: number = Date.now()) {}

  /** A table's eligible rows, from its window plan, before any of them is archived. */
  planned(table: string, rows: number): void {
    this.plannedRows += rows;
    this.table = table;
  }

  /** The month window now being archived, e.g. 2026-01-01..2026-01-31. */
  entered(table: string, window: string): void {
    this.table = table;
    this.window = window;
  }

  /** The run pauses for the database (why), or goes on again (null). */
  throttled(why: string | null): void {
    this.throttledBy = why;
  }

  /** A part purged: its rows of the table itself. */
  advanced(rows: number): void {
    this.rows += rows;
  }

  snapshot(now: number = Date.now()): ProgressSnapshot {
    const seconds = Math.max(now - this.started, 1) / 1000;
    const rowsPerSecond = Math.round((this.rows / seconds) * 10) / 10;
    const left = Math.max(this.plannedRows - this.rows, 0);
    return {
      rows: this.rows,
      plannedRows: this.plannedRows,
      percent: this.plannedRows > 0 ? Math.min(100, Math.floor((this.rows / this.plannedRows) * 100)) : null,
      table: this.table,
      window: this.window,
      rowsPerSecond,
      etaSeconds: this.rows > 0 ? Math.ceil(left / (this.rows / seconds)) : null,
      startedAt: new Date(this.started).toISOString(),
      throttled: this.throttledBy,
    };
  }
}
