/** What one job run passes down to the engine, and what the engine reports back. */
import { isoDate, lastDay } from './archive-naming';
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
}

export interface ArchiveSummary {
  id: number;
  table: string;
  path: string;
  rows: number;
  bytes: number;
}

export interface TableRunResult {
  table: string;
  cutoff: string;
  rows: number;
  bytes: number;
  archives: ArchiveSummary[];
  /** Dry runs: the windows that would be archived, with row counts. */
  plan?: { window: string; rows: number; parts: number }[];
}

export function describePlan(plan: WindowPlan[], maxRowsPerFile: number) {
  return plan.map((p) => ({
    window: `${isoDate(p.window.start)}..${isoDate(lastDay(p.window))}`,
    rows: p.rows,
    parts: Math.ceil(p.rows / maxRowsPerFile),
  }));
}
