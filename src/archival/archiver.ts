/**
 * The contract every job implements. Built-in jobs are TableArchivers, which
 * only declare a table spec; hosts can add their own the same way.
 */
import { ArchivalOptions, JobSettings } from './archival-options';
import { RunContext, TableRunResult } from './engine/run-context';

export interface Archiver {
  /** Unique job name, e.g. "log-archival". */
  readonly job: string;
  /** Tables the job reads and purges, parents first. */
  tables(): string[];
  /** Settings before per-job overrides (ARCHIVAL_<JOB>_CRON|_ENABLED|_RETENTION_DAYS). */
  defaults(options: ArchivalOptions): JobSettings;
  run(context: RunContext, settings: JobSettings): Promise<TableRunResult[]>;
}

export const ARCHIVERS = Symbol('ARCHIVERS');
