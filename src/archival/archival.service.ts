/**
 * Runs jobs: by name, from cron, the CLI or the API. Each run is recorded in
 * archival_runs; a job runs at most once at a time in this process (no
 * overlapping ticks) and across replicas (advisory lock).
 */
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { CronTime } from 'cron';
import { ArchivalOptions, JobSettings } from './archival-options';
import { ARCHIVAL_CLOCK, ARCHIVAL_OPTIONS, ArchivalClock } from './archival.constants';
import { ConfigurationError, UnknownJobError } from './archival.errors';
import { TableArchiver } from './archivers/table.archiver';
import { Archiver, ARCHIVERS } from './archiver';
import { ArchivalRun, RunTrigger } from './catalog/archival-run.entity';
import { RunStatus } from './catalog/statuses';
import { CatalogService } from './catalog/catalog.service';
import { ArchivalMetrics } from './metrics/archival.metrics';
import { ArchivalEngine } from './engine/archival.engine';
import { RunContext, runTotals, TableRunResult } from './engine/run-context';
import { ProgressSnapshot, RunProgress } from './engine/run-progress';
import { AdvisoryCronLocker } from './scheduler/advisory.cron-locker';

export interface RunOptions {
  dryRun?: boolean;
  trigger?: RunTrigger;
}

export interface RunReport {
  runId: string;
  job: string;
  status: RunStatus;
  dryRun: boolean;
  rows: number;
  bytes: number;
  archives: number;
  tables: TableRunResult[];
  error?: string;
}

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
export class ArchivalService implements OnModuleDestroy {
  private readonly logger = new Logger(ArchivalService.name);
  private readonly running = new Map<string, string>();
  /** Runs in progress, so shutdown can stop them at a safe point and wait. */
  private readonly inFlight = new Map<string, { stop: AbortController; done: Promise<unknown> }>();
  /** Live progress of the real runs this process is running, by run id. */
  private readonly live = new Map<string, RunProgress>();

  constructor(
    @Inject(ARCHIVERS) private readonly archivers: Archiver[],
    @Inject(ARCHIVAL_OPTIONS) private readonly options: ArchivalOptions,
    private readonly catalog: CatalogService,
    private readonly engine: ArchivalEngine,
    private readonly locker: AdvisoryCronLocker,
    @Inject(ARCHIVAL_CLOCK) private readonly clock: ArchivalClock,
    private readonly metrics: ArchivalMetrics,
  ) {
    const known = new Set(archivers.map((a) => a.job));
    for (const job of Object.keys(options.jobs)) {
      if (!known.has(job)) throw new UnknownJobError(job, [...known]);
    }
    this.assertRetentionBounds();
  }

  jobs(): JobInfo[] {
    return this.archivers.map((archiver) => ({
      name: archiver.job,
      ...this.settings(archiver),
      tables: archiver.tables(),
      running: this.running.has(archiver.job),
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
    const defaults = archiver.defaults(this.options);
    const override = this.options.jobs[archiver.job] ?? {};
    return {
      enabled: override.enabled ?? defaults.enabled,
      cron: override.cron ?? defaults.cron,
      retentionDays: override.retentionDays ?? defaults.retentionDays,
    };
  }

  /** Start-up check: every retention-based job keeps rows within ARCHIVAL_MIN/MAX_RETENTION_DAYS. */
  private assertRetentionBounds() {
    const { minRetentionDays: min, maxRetentionDays: max } = this.options;
    const problems = this.archivers
      .filter((a) => !(a instanceof TableArchiver && a.spec.eligibility === 'expired'))
      .map((a) => ({ job: a.job, days: this.settings(a).retentionDays }))
      .filter(({ days }) => days < min || days > max)
      .map(({ job, days }) => `job ${job} keeps rows ${days} days, outside ARCHIVAL_MIN_RETENTION_DAYS=${min}..ARCHIVAL_MAX_RETENTION_DAYS=${max}`);
    if (problems.length > 0) throw new ConfigurationError(problems);
  }

  archiver(job: string): Archiver {
    const archiver = this.archivers.find((a) => a.job === job);
    if (!archiver) throw new UnknownJobError(job, this.archivers.map((a) => a.job));
    return archiver;
  }

  /** Starts a run and returns its id at once; the run goes on in the background. */
  async trigger(job: string, options: RunOptions = {}): Promise<{ runId: string; done: Promise<RunReport> }> {
    const archiver = this.archiver(job);
    const run = await this.catalog.startRun(job, options.trigger ?? 'manual', options.dryRun ?? false);
    const stop = new AbortController();
    const done = this.execute(archiver, run, stop.signal);
    this.inFlight.set(run.id, { stop, done });
    done.catch(() => undefined).finally(() => this.inFlight.delete(run.id)); // the outcome is in the runs table and the log
    return { runId: run.id, done };
  }

  /** Progress of a run going on in this process; undefined for a finished run, a dry run, or one in another replica. */
  progress(runId: string): ProgressSnapshot | undefined {
    return this.live.get(runId)?.snapshot();
  }

  /** Runs a job to the end and reports what it did. */
  async run(job: string, options: RunOptions = {}): Promise<RunReport> {
    return (await this.trigger(job, options)).done;
  }

  /**
   * Graceful shutdown: running jobs stop at their next safe point (between
   * batches, before a purge); a purge already under way commits or rolls back
   * whole. Interrupted archives are redone by the next run. This runs in the
   * first shutdown phase, while the database pools are still open.
   */
  async onModuleDestroy(): Promise<void> {
    const runs = [...this.inFlight.values()];
    for (const run of runs) run.stop.abort(new Error('the application is shutting down'));
    await Promise.allSettled(runs.map((r) => r.done));
  }

  private async execute(archiver: Archiver, run: ArchivalRun, stop: AbortSignal): Promise<RunReport> {
    const report: RunReport = {
      runId: run.id, job: run.job, status: 'running', dryRun: run.dryRun, rows: 0, bytes: 0, archives: 0, tables: [],
    };
    const skip = this.running.has(run.job) ? `already running in this process (run ${this.running.get(run.job)})` : undefined;
    if (skip || !(await this.locker.tryAcquire(run.job, 0))) {
      report.status = 'skipped';
      report.error = skip ?? 'held by another instance';
      await this.catalog.finishRun(run.id, { ...report });
      this.logger.warn({ event: 'run.skipped', job: run.job, runId: run.id, reason: report.error });
      this.metrics.runFinished(run.job, 'skipped', 0, new Date());
      return report;
    }
    this.running.set(run.job, run.id);
    const started = Date.now();
    let progress = { rows: 0, bytes: 0, archives: 0 };
    try {
      // Holding the job's lock, no other run that held it is alive: one still marked running died with its process.
      await this.catalog.markLocked(run.id);
      for (const stale of await this.catalog.abandonStaleRuns(run.job, run.id)) {
        this.logger.warn({ event: 'run.abandoned', job: run.job, runId: stale, by: run.id });
      }
      const context: RunContext = {
        job: run.job, runId: run.id, dryRun: run.dryRun, now: this.clock(), progress: { rows: 0, bytes: 0, archives: 0 },
        signal: AbortSignal.any([stop, this.locker.lostSignal(run.job)]),
        live: run.dryRun ? undefined : new RunProgress(),
      };
      progress = context.progress;
      if (context.live) this.live.set(run.id, context.live);
      if (!run.dryRun) await this.engine.discardUnfinished(run.job, run.id);
      report.tables = await archiver.run(context, this.settings(archiver));
      Object.assign(report, runTotals(report.tables));
      report.status = 'succeeded';
      await this.catalog.finishRun(run.id, { ...report, summary: { tables: report.tables as unknown } });
      this.logger.log({ event: 'run.finished', job: run.job, runId: run.id, dryRun: run.dryRun, status: report.status,
        rows: report.rows, bytes: report.bytes, archives: report.archives, ms: Date.now() - started });
      if (!run.dryRun) this.metrics.runFinished(run.job, 'succeeded', (Date.now() - started) / 1000, new Date());
      return report;
    } catch (error) {
      // Parts purged before the failure are real work: report them.
      Object.assign(report, progress, { status: 'failed', error: (error as Error).message });
      await this.catalog.finishRun(run.id, { ...report, summary: { tables: report.tables as unknown } }).catch(() => undefined);
      this.logger.error({ event: 'run.failed', job: run.job, runId: run.id, error: report.error, ms: Date.now() - started });
      this.metrics.runFinished(run.job, 'failed', (Date.now() - started) / 1000, new Date());
      throw error;
    } finally {
      this.live.delete(run.id);
      this.running.delete(run.job);
      await this.locker.release(run.job);
    }
  }
}
