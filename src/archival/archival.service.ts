/**
 * The module's front for hosts, the admin API, the CLI and the scheduler:
 * jobs by name, their status, and runs. The jobs and their settings are the
 * registry's (job.registry.ts); running them is the runner's (job.runner.ts).
 */
import { Inject, Injectable } from '@nestjs/common';
import { CronTime } from 'cron';
import { ArchivalOptions, JobSettings } from './archival-options';
import { ARCHIVAL_OPTIONS } from './archival.constants';
import { Archiver } from './archiver';
import { RunTrigger } from './catalog/archival-run.entity';
import { RunStatus } from './catalog/statuses';
import { CatalogService } from './catalog/catalog.service';
import { ProgressSnapshot } from './engine/run-progress';
import { JobRegistry } from './job.registry';
import { JobRunner, RunOptions, RunReport } from './job.runner';

export type { RunOptions, RunReport } from './job.runner';

export interface JobInfo extends JobSettings {
  name: string;
  tables: string[];
  running: boolean;
}

export interface JobStatus extends JobInfo {
  timezone: string;
  /** Next scheduled run, ISO 8601 in the configured time zone; null when not scheduled. */
  nextRun: string | null;
  lastRun: {
    runId: string;
    status: RunStatus;
    trigger: RunTrigger;
    dryRun: boolean;
    startedAt: Date;
    finishedAt: Date | null;
    durationMs: number | null;
    rows: number;
    bytes: number;
    error: string | null;
  } | null;
}

@Injectable()
export class ArchivalService {
  constructor(
    private readonly registry: JobRegistry,
    private readonly runner: JobRunner,
    private readonly catalog: CatalogService,
    @Inject(ARCHIVAL_OPTIONS) private readonly options: ArchivalOptions,
  ) {}

  jobs(): JobInfo[] {
    return this.registry.all().map((archiver) => ({
      name: archiver.job,
      ...this.settings(archiver),
      tables: archiver.tables(),
      running: this.runner.isRunning(archiver.job),
    }));
  }

  /** Every job with its schedule, whether it runs now, and its last run. */
  async getStatus(): Promise<JobStatus[]> {
    const scheduled = this.options.schedule && this.options.enabled;
    return Promise.all(
      this.jobs().map(async (job) => {
        const last = await this.catalog.lastRun(job.name);
        return {
          ...job,
          timezone: this.options.timezone,
          nextRun: scheduled && job.enabled ? new CronTime(job.cron, this.options.timezone).sendAt().toISO() : null,
          lastRun: last && {
            runId: last.id, status: last.status, trigger: last.trigger, dryRun: last.dryRun, startedAt: last.startedAt, finishedAt: last.finishedAt,
            durationMs: last.finishedAt ? last.finishedAt.getTime() - last.startedAt.getTime() : null,
            rows: last.rows, bytes: last.bytes, error: last.error,
          },
        };
      }),
    );
  }

  settings(archiver: Archiver): JobSettings {
    return this.registry.settings(archiver);
  }

  archiver(job: string): Archiver {
    return this.registry.archiver(job);
  }

  /** Starts a run and returns its id at once; the run goes on in the background. */
  async trigger(job: string, options: RunOptions = {}): Promise<{ runId: string; done: Promise<RunReport> }> {
    return this.runner.trigger(this.registry.archiver(job), options);
  }

  /** Progress of a run going on in this process; undefined for a finished run, a dry run, or one in another replica. */
  progress(runId: string): ProgressSnapshot | undefined {
    return this.runner.progress(runId);
  }

  /** Runs a job to the end and reports what it did. */
  async run(job: string, options: RunOptions = {}): Promise<RunReport> {
    return (await this.trigger(job, options)).done;
  }
}
