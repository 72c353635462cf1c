/**
 * Runs jobs: by name, from cron, the CLI or the API. Each run is recorded in
 * archival_runs; a job runs at most once at a time in this process (no
 * overlapping ticks) and across replicas (advisory lock).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ArchivalOptions, JobSettings } from './archival-options';
import { ARCHIVAL_CLOCK, ARCHIVAL_OPTIONS, ArchivalClock } from './archival.constants';
import { UnknownJobError } from './archival.errors';
import { Archiver, ARCHIVERS } from './archiver';
import { ArchivalRun, RunStatus, RunTrigger } from './catalog/archival-run.entity';
import { CatalogService } from './catalog/catalog.service';
import { ArchivalEngine } from './engine/archival.engine';
import { RunContext, TableRunResult } from './engine/run-context';
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

@Injectable()
export class ArchivalService {
  private readonly logger = new Logger(ArchivalService.name);
  private readonly running = new Map<string, string>();

  constructor(
    @Inject(ARCHIVERS) private readonly archivers: Archiver[],
    @Inject(ARCHIVAL_OPTIONS) private readonly options: ArchivalOptions,
    private readonly catalog: CatalogService,
    private readonly engine: ArchivalEngine,
    private readonly locker: AdvisoryCronLocker,
    @Inject(ARCHIVAL_CLOCK) private readonly clock: ArchivalClock,
  ) {
    const known = new Set(archivers.map((a) => a.job));
    for (const job of Object.keys(options.jobs)) {
      if (!known.has(job)) throw new UnknownJobError(job, [...known]);
    }
  }

  jobs(): JobInfo[] {
    return this.archivers.map((archiver) => ({
      name: archiver.job,
      ...this.settings(archiver),
      tables: archiver.tables(),
      running: this.running.has(archiver.job),
    }));
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

  archiver(job: string): Archiver {
    const archiver = this.archivers.find((a) => a.job === job);
    if (!archiver) throw new UnknownJobError(job, this.archivers.map((a) => a.job));
    return archiver;
  }

  /** Starts a run and returns its id at once; the run goes on in the background. */
  async trigger(job: string, options: RunOptions = {}): Promise<{ runId: string; done: Promise<RunReport> }> {
    const archiver = this.archiver(job);
    const run = await this.catalog.startRun(job, options.trigger ?? 'manual', options.dryRun ?? false);
    const done = this.execute(archiver, run);
    done.catch(() => undefined); // the outcome is in the runs table and the log
    return { runId: run.id, done };
  }

  /** Runs a job to the end and reports what it did. */
  async run(job: string, options: RunOptions = {}): Promise<RunReport> {
    return (await this.trigger(job, options)).done;
  }

  private async execute(archiver: Archiver, run: ArchivalRun): Promise<RunReport> {
    const report: RunReport = {
      runId: run.id, job: run.job, status: 'running', dryRun: run.dryRun, rows: 0, bytes: 0, archives: 0, tables: [],
    };
    const skip = this.running.has(run.job) ? `already running in this process (run ${this.running.get(run.job)})` : undefined;
    if (skip || !(await this.locker.tryAcquire(run.job, 0))) {
      report.status = 'skipped';
      report.error = skip ?? 'held by another instance';
      await this.catalog.finishRun(run.id, { ...report });
      this.logger.warn({ event: 'run.skipped', job: run.job, runId: run.id, reason: report.error });
      return report;
    }
    this.running.set(run.job, run.id);
    const started = Date.now();
    let progress = { rows: 0, bytes: 0, archives: 0 };
    try {
      const context: RunContext = {
        job: run.job, runId: run.id, dryRun: run.dryRun, now: this.clock(), progress: { rows: 0, bytes: 0, archives: 0 },
      };
      progress = context.progress;
      if (!run.dryRun) await this.engine.discardUnfinished(run.job, run.id);
      report.tables = await archiver.run(context, this.settings(archiver));
      report.rows = report.tables.reduce((sum, t) => sum + t.rows, 0);
      report.bytes = report.tables.reduce((sum, t) => sum + t.bytes, 0);
      report.archives = report.tables.reduce((sum, t) => sum + t.archives.length, 0);
      report.status = 'succeeded';
      await this.catalog.finishRun(run.id, { ...report, summary: { tables: report.tables as unknown } });
      this.logger.log({ event: 'run.finished', job: run.job, runId: run.id, dryRun: run.dryRun, status: report.status,
        rows: report.rows, bytes: report.bytes, archives: report.archives, ms: Date.now() - started });
      return report;
    } catch (error) {
      // Parts purged before the failure are real work: report them.
      Object.assign(report, progress, { status: 'failed', error: (error as Error).message });
      await this.catalog.finishRun(run.id, { ...report, summary: { tables: report.tables as unknown } }).catch(() => undefined);
      this.logger.error({ event: 'run.failed', job: run.job, runId: run.id, error: report.error, ms: Date.now() - started });
      throw error;
    } finally {
      this.running.delete(run.job);
      await this.locker.release(run.job);
    }
  }
}
