/** What one job run passes down to the engine, and what the engine reports back. */
import { isoDate, lastDay, MonthWindow } from './archive-naming';
import { RunProgress } from './run-progress';
import { WindowPlan } from './window-planner';

export interface RunContext {
  job: string;
  runId: string;
  dryRun: boolean;
  /** The run's clock: cutoffs are computed from it once, so one run sees one cutoff. */
  now: Date;
  /** Aborted when the run must stop (lock lost, shutdown): checked between batches and before every purge. */
  signal: AbortSignal;
  /** What has been purged so far; still true when a later step fails. */
  progress: { rows: number; bytes: number; archives: number };
  /** The live view of a real run (current table and window, planned rows), for GET runs/:id and the CLI's bar. */
  live?: RunProgress;
}

/** One purged part: its parent archive, and the child tables' archives that travelled with it. */
export interface ArchiveSummary {
  id: number;
  table: string;
  path: string;
  rows: number;
  /** Stored bytes of the parent archive. */
  bytes: number;
  children: { table: string; rows: number; bytes: number }[];
}

/** A child table's share of a table run: its rows, bytes and archives. */
export interface ChildTableTotals {
  table: string;
  rows: number;
  bytes: number;
  archives: number;
}

export interface TableRunResult {
  table: string;
  cutoff: string;
  /** Rows, bytes and archives of the table itself; its child tables' are in `children`. */
  rows: number;
  bytes: number;
  archives: ArchiveSummary[];
  children: ChildTableTotals[];
  /** Dry runs: the windows that would be archived, with row counts. */
  plan?: { window: string; rows: number; parts: number }[];
  /** Windows left alone because another run held them (their rows stay for the next run); absent when none. */
  skippedWindows?: string[];
}

/** Adds purged parts to a table run's result: the table's rows, bytes and archives, and each child table's. */
export function addPurged(result: TableRunResult, summaries: ArchiveSummary[]): void {
  for (const archive of summaries) {
    result.archives.push(archive);
    result.rows += archive.rows;
    result.bytes += archive.bytes;
    for (const child of archive.children) {
      const totals = result.children.find((c) => c.table === child.table)!;
      totals.rows += child.rows;
      totals.bytes += child.bytes;
      totals.archives++;
    }
  }
}

/** A run's totals over its tables, child tables included (what the catalog holds for the run). */
export function runTotals(tables: TableRunResult[]): { rows: number; bytes: number; archives: number } {
  const sum = (f: (t: TableRunResult) => number) => tables.reduce((n, t) => n + f(t), 0);
  return {
    rows: sum((t) => t.rows + t.children.reduce((n, c) => n + c.rows, 0)),
    bytes: sum((t) => t.bytes + t.children.reduce((n, c) => n + c.bytes, 0)),
    archives: sum((t) => t.archives.length + t.children.reduce((n, c) => n + c.archives, 0)),
  };
}

/** A month window as operators read it: 2026-01-01..2026-01-31. */
export function windowLabel(window: MonthWindow): string {
  return `${isoDate(window.start)}..${isoDate(lastDay(window))}`;
}

export function describePlan(plan: WindowPlan[], maxRowsPerFile: number) {
  return plan.map((p) => ({
    window: windowLabel(p.window),
    rows: p.rows,
    parts: Math.ceil(p.rows / maxRowsPerFile),
  }));
}
