/**
 * Runs jobs, each run recorded in archival_runs. A job runs at most once at a
 * time in this process (a second trigger is skipped, never overlapped) and
 * across replicas (advisory lock). The runs in flight are one map, by run id:
 * whether a job is running, a run's live progress, and what shutdown stops
 * are all read from it. Every run ends through `finish`: its record, its log
 * line and its metric.
 */
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ARCHIVAL_CLOCK, ArchivalClock } from './archival.constants';
import { Archiver } from './archiver';
import { RunStoppedError } from './archival.errors';
import { ArchivalRun, RunTrigger } from './catalog/archival-run.entity';
import { CatalogService } from './catalog/catalog.service';
import { RunStatus } from './catalog/statuses';
import { ArchivalEngine } from './engine/archival.engine';
import { RunContext, runTotals, TableRunResult } from './engine/run-context';
import { ProgressSnapshot, RunProgress } from './engine/run-progress';
import { JobRegistry } from './job.registry';
import { ArchivalMetrics } from './metrics/archival.metrics';
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

/** A run this process started and has not finished. */
interface InFlightRun {
  job: string;
  stop: AbortController;
  done?: Promise<RunReport>;
  /** Set while the run holds its job (in this process and by the advisory lock). */
  holding: boolean;
  /** The live view of a real run, while it holds its job. */
  live?: RunProgress;
}

@Injectable()
export class JobRunner implements OnModuleDestroy {
  private readonly logger = new Logger(JobRunner.name);
  private readonly inFlight = new Map<string, InFlightRun>();

  constructor(
    private readonly registry: JobRegistry,
    private readonly catalog: CatalogService,
    private readonly engine: ArchivalEngine,
    private readonly locker: AdvisoryCronLocker,
    @Inject(ARCHIVAL_CLOCK) private readonly clock: ArchivalClock,
    private readonly metrics: ArchivalMetrics,
  ) {}

  /** Whether a run of `job` holds it in this process. */
  isRunning(job: string): boolean {
    return this.holder(job) !== undefined;
  }

  /** Starts a run and returns its id at once; the run goes on in the background. */
  async trigger(archiver: Archiver, options: RunOptions = {}): Promise<{ runId: string; done: Promise<RunReport> }> {
    const run = await this.catalog.startRun(archiver.job, options.trigger ?? 'manual', options.dryRun ?? false);
    const entry: InFlightRun = { job: run.job, stop: new AbortController(), holding: false };
    this.inFlight.set(run.id, entry);
    const done = this.execute(archiver, run, entry);
    entry.done = done;
    done.catch(() => undefined).finally(() => this.inFlight.delete(run.id)); // the outcome is in the runs table and the log
    return { runId: run.id, done };
  }

  /** Progress of a run going on in this process; undefined for a finished run, a dry run, or one in another replica. */
  progress(runId: string): ProgressSnapshot | undefined {
    return this.inFlight.get(runId)?.live?.snapshot();
  }

  /**
   * Graceful shutdown: running jobs stop at their next safe point (between
   * batches, before a purge); a purge already under way commits or rolls back
   * whole. Interrupted archives are redone by the next run. This runs in the
   * first shutdown phase, while the database pools are still open.
   */
  async onModuleDestroy(): Promise<void> {
    const runs = [...this.inFlight.values()];
    for (const run of runs) run.stop.abort(new RunStoppedError('the application is shutting down'));
    await Promise.allSettled(runs.map((r) => r.done));
  }

  private holder(job: string): string | undefined {
    for (const [runId, run] of this.inFlight) if (run.job === job && run.holding) return runId;
    return undefined;
  }

  private async execute(archiver: Archiver, run: ArchivalRun, entry: InFlightRun): Promise<RunReport> {
    const report: RunReport = {
      runId: run.id, job: run.job, status: 'running', dryRun: run.dryRun, rows: 0, bytes: 0, archives: 0, tables: [],
    };
    const holder = this.holder(run.job);
    const skip = holder ? `already running in this process (run ${holder})` : undefined;
    if (skip || !(await this.locker.tryAcquire(run.job, 0))) {
      await this.finish(Object.assign(report, { status: 'skipped', error: skip ?? 'held by another instance' }), Date.now());
      return report;
    }
    entry.holding = true;
    const started = Date.now();
    const progress = { rows: 0, bytes: 0, archives: 0 };
    try {
      // Holding the job's lock, no other run that held it is alive: one still marked running died with its process.
      await this.catalog.markLocked(run.id);
      for (const stale of await this.catalog.abandonStaleRuns(run.job, run.id)) {
        this.logger.warn({ event: 'run.abandoned', job: run.job, runId: stale, by: run.id });
      }
      const context: RunContext = {
        job: run.job, runId: run.id, dryRun: run.dryRun, now: this.clock(), progress,
        signal: AbortSignal.any([entry.stop.signal, this.locker.lostSignal(run.job)]),
        live: run.dryRun ? undefined : new RunProgress(),
      };
      entry.live = context.live;
      if (!run.dryRun) await this.engine.discardUnfinished(run.job, run.id);
      report.tables = await archiver.run(context, this.registry.settings(archiver));
      Object.assign(report, runTotals(report.tables), { status: 'succeeded' });
      await this.finish(report, started);
      return report;
    } catch (error) {
      // Parts purged before the failure are real work: report them.
      Object.assign(report, progress, { status: 'failed', error: (error as Error).message });
      await this.finish(report, started);
      throw error;
    } finally {
      entry.live = undefined;
      entry.holding = false;
      await this.locker.release(run.job);
    }
  }

  /** The one way a run ends: its record in archival_runs, one log line, its metric. */
  private async finish(report: RunReport, started: number): Promise<void> {
    const { runId, job, status } = report;
    const ms = Date.now() - started;
    const recorded = this.catalog.finishRun(runId, status === 'skipped' ? { ...report } : { ...report, summary: { tables: report.tables as unknown } });
    // A failed run's record may fail too (the database may be what failed): its log line and metric still go out.
    await (status === 'failed' ? recorded.catch(() => undefined) : recorded);
    if (status === 'skipped') {
      this.logger.warn({ event: 'run.skipped', job, runId, reason: report.error });
      this.metrics.runFinished(job, 'skipped', 0, new Date());
    } else if (status === 'failed') {
      this.logger.error({ event: 'run.failed', job, runId, error: report.error, ms });
      this.metrics.runFinished(job, 'failed', ms / 1000, new Date());
    } else {
      this.logger.log({ event: 'run.finished', job, runId, dryRun: report.dryRun, status, rows: report.rows, bytes: report.bytes, archives: report.archives, ms });
      if (!report.dryRun) this.metrics.runFinished(job, 'succeeded', ms / 1000, new Date());
    }
  }
}
