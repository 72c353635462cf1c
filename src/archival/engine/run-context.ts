/** What one job run passes down to the engine, and what the engine reports back. */
import { WindowPlan } from './window-planner';

export interface RunContext {
  job: string;
  runId: string;
  dryRun: boolean;
  /** The run's clock: cutoffs are computed from it once, so one run sees one cutoff. */
  now: Date;
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
    window: `${p.window.start.toISOString().slice(0, 10)}..${new Date(p.window.end.getTime() - 86_400_000).toISOString().slice(0, 10)}`,
    rows: p.rows,
    parts: Math.ceil(p.rows / maxRowsPerFile),
  }));
}
