/**
 * One table's run, as docs/architecture.md draws it:
 *   plan → for each month window → for each part:
 *     write (part-writer) → seal: read back, verify, manifest, "verified" (part-sealer)
 *     → purge (part-purge), or, for a whole-month partition, drop it once every part is sealed.
 * The part pipeline (part-pipeline.ts) decides what overlaps: seals in order,
 * one purge in flight (two beside two parts at once), a paced run one step at a time. ARCHIVAL_PARALLELISM
 * windows are archived at once, each under its own lock (window-lock.ts).
 */
import { Logger } from '@nestjs/common';
import { MonthWindow } from './archive-naming';
import { Eligibility } from './eligibility';
import { EngineServices } from './engine-services';
import { legalHoldExclusion } from './legal-holds';
import { BatchSizer } from './batch-sizer';
import { Pacer } from './pacer';
import { PartPipeline } from './part-pipeline';
import { PartPurge } from './part-purge';
import { PartSealer } from './part-sealer';
import { PartWriter } from './part-writer';
import { writeOverlapped } from './overlapped-parts';
import { isPartitioned, wholeMonthPartition } from './table-partitions';
import { addPurged, ArchiveSummary, describePlan, RunContext, TableRunResult, windowLabel } from './run-context';
import { QualifiedName } from '../sql/sql-identifier';
import { TableSpec } from './table-spec';
import { describeTarget, TableTarget } from './table-target';
import { UnfinishedArchives } from './unfinished-archives';
import { tryLockWindow, windowLockKey } from './window-lock';
import { planWindows, WindowPlan } from './window-planner';
import { WrittenPart } from './written-part';

const INTEGER_KEYS = new Set(['smallint', 'integer', 'bigint']);

export interface TableRunOptions {
  services: EngineServices;
  spec: TableSpec;
  /** Rows whose time is before it are eligible. */
  cutoff: Date;
  context: RunContext;
}

/** Archives every eligible row of one table. */
export async function runTable({ services, spec, cutoff, context }: TableRunOptions): Promise<TableRunResult> {
  const target = await describeTarget(services.db, spec);
  // Rows under an active legal hold are not eligible, whatever their age.
  const holds = await services.db.withClient((client) => legalHoldExclusion(client, target.shape.table, target.shape.key));
  return new TableRun(services, target, { time: spec.time, cutoff, filter: spec.filter, holds }, context).run();
}

class TableRun {
  private readonly logger = new Logger(TableRun.name);
  private readonly pacer: Pacer;
  private readonly result: TableRunResult;
  /** Stops every window worker of this table run at the first failure (and the pacer's rests and throttle waits with them). */
  private readonly stop = new AbortController();
  private readonly signal: AbortSignal;

  constructor(
    private readonly services: EngineServices,
    private readonly target: TableTarget,
    private readonly eligibility: Eligibility,
    private readonly context: RunContext,
  ) {
    this.signal = AbortSignal.any([context.signal, this.stop.signal]);
    this.pacer = new Pacer(
      services.options.niceRatio, services.options.sleepBetweenBatchesMs, this.signal,
      services.throttles.forRun(context.job, context.live), new BatchSizer(services.options.batchSize, services.options.targetStepMs),
    );
    this.result = {
      table: target.shape.table.name, cutoff: eligibility.cutoff.toISOString(), rows: 0, bytes: 0, archives: [],
      children: target.children.map((c) => ({ table: c.shape.table.name, rows: 0, bytes: 0, archives: 0 })),
    };
  }

  async run(): Promise<TableRunResult> {
    const { context, result } = this;
    const plan = await this.plan();
    const planned = plan.reduce((sum, p) => sum + p.rows, 0);
    if (context.dryRun) return { ...result, plan: describePlan(plan, this.services.options.maxRowsPerFile), rows: planned };
    context.live?.planned(result.table, planned);
    try {
      return await this.archiveWindows(plan);
    } finally {
      await this.pacer.close();
    }
  }

  /**
   * ARCHIVAL_PARALLELISM workers take the plan's windows in order, each with
   * its own writer and pipeline (so each window's seals and its one purge in
   * flight keep their order), each window under its own lock (window-lock.ts),
   * held until the window's last purge is done. A window another run holds is
   * skipped. The first failure stops every worker; then nothing is left in
   * flight and the run's unpurged archives are abandoned, as with one worker.
   */
  private async archiveWindows(plan: WindowPlan[]): Promise<TableRunResult> {
    const { context, result, services, stop, signal } = this;
    const queue = [...plan];
    const pipelines: PartPipeline<WrittenPart, QualifiedName, ArchiveSummary>[] = [];
    const releases: Promise<void>[] = [];
    const worker = async () => {
      const workerContext: RunContext = { ...context, signal };
      const writer = new PartWriter({ services, target: this.target, eligibility: this.eligibility, context: workerContext, pacer: this.pacer });
      const pipeline = this.pipeline(workerContext);
      pipelines.push(pipeline);
      try {
        for (let planned = queue.shift(); planned; planned = queue.shift()) {
          const { window } = planned;
          signal.throwIfAborted();
          const held = await tryLockWindow(services.db, context.job, this.target.shape.table, window);
          if (!held) {
            this.skipped(window);
            continue;
          }
          held.lost.addEventListener('abort', () => stop.abort(held.lost.reason), { once: true });
          try {
            await this.archiveWindow(planned, writer, pipeline);
          } finally {
            releases.push(pipeline.idle().then(() => held.release()));
          }
        }
        await pipeline.drain();
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    };
    const workers = Math.max(1, Math.min(await this.parallelism(), plan.length));
    const outcomes = await Promise.allSettled(Array.from({ length: workers }, worker));
    if (outcomes.some((o) => o.status === 'rejected')) {
      // Never leave a seal or a purge running behind a failed run, nor its unpurged archives pending.
      for (const pipeline of pipelines) await pipeline.settle();
      await Promise.allSettled(releases);
      const error = stop.signal.reason as Error;
      await new UnfinishedArchives(services).abandonOfRun(context, error);
      throw error;
    }
    await Promise.all(releases);
    return result;
  }

  private async archiveWindow(planned: WindowPlan, writer: PartWriter, pipeline: PartPipeline<WrittenPart, QualifiedName, ArchiveSummary>): Promise<void> {
    const { window, maxKey } = planned;
    this.context.live?.entered(this.result.table, windowLabel(window));
    const partition = await this.partitionToDrop(window);
    pipeline.startWindow(partition);
    let after: string | undefined;
    let full = true;
    if (this.overlapsParts() && partition === undefined && maxKey !== undefined) {
      ({ after, full } = await writeOverlapped({
        plannedRows: planned.rows,
        partRows: this.services.options.maxRowsPerFile,
        end: (from) => writer.partEnd(window, from, maxKey),
        write: (from, until, signal, numbered) => writer.write(window, from, { until, signal, numbered }),
        // A window's parts written two at once are purged two at once (disjoint key ranges), or the second would wait out the first.
        add: (part, beside) => pipeline.add(part, beside ? 2 : 1),
        extent: (part) => ({ rows: part.parent.source.rows, lastKey: part.parent.source.keyLog.lastKey }),
        throwIfStopped: () => pipeline.throwIfStopped(),
      }));
    }
    while (full) {
      pipeline.throwIfStopped();
      const part = await writer.write(window, after);
      if (!part) break;
      await pipeline.add(part);
      after = part.parent.source.keyLog.lastKey;
      full = part.parent.source.rows >= this.services.options.maxRowsPerFile;
    }
    await pipeline.endWindow();
  }

  /**
   * ARCHIVAL_PARALLELISM, except for a partitioned table: dropping a month's
   * partition takes an ACCESS EXCLUSIVE lock on the parent, which the other
   * windows' COPY and purge hold locks on, so its windows go one at a time.
   */
  private async parallelism(): Promise<number> {
    const { services, context, result } = this;
    if (services.options.parallelism <= 1) return 1;
    if (!(await services.db.withClient((client) => isPartitioned(client, this.target.shape.table)))) return services.options.parallelism;
    this.logger.log({
      event: 'parallelism.off', job: context.job, runId: context.runId, table: result.table,
      why: `a partitioned table's windows go one at a time: dropping a month's partition locks the parent against the other windows`,
    });
    return 1;
  }

  /**
   * Whether a window's parts are written two at a time (overlapped-parts.ts):
   * in a full-speed run of one worker, on an integer key, of a table without
   * child tables, in either format (Parquet too since its column buffers
   * are reused: its peak RSS one part at a time and two at once then spread
   * alike, docs/operations.md); a paced run does one thing at a time;
   * several workers already keep one COPY each busy, within the pool they
   * were sized for. An integer key (a sequence, an identity) grows with the
   * rows' time, so a part's end is found by walking the window's own stretch
   * of its index; a random key (uuid) spreads the window over the whole
   * index. A child table's
   * archives are written after their parent's, so they would not come in
   * key order.
   */
  private overlapsParts(): boolean {
    const { services, pacer, target } = this;
    return (
      services.options.parallelism <= 1 && !pacer.paced && target.children.length === 0 && INTEGER_KEYS.has(target.shape.keyType)
    );
  }

  /** A window another run of the job holds (one that outlived its job lock and has not let go yet): its rows stay for the next run. */
  private skipped(window: MonthWindow): void {
    const { context, result, target } = this;
    const label = windowLabel(window);
    (result.skippedWindows ??= []).push(label);
    this.logger.warn({
      event: 'window.skipped', job: context.job, runId: context.runId, table: result.table, window: label,
      why: `another run holds ${windowLockKey(context.job, target.shape.table, window)}; its rows stay in the table for the next run`,
    });
  }

  private plan(): Promise<WindowPlan[]> {
    const microsecondTimestamps = this.services.codecs.forWriting().format.dialect === 'typed';
    const maxKeys = this.overlapsParts() && !this.context.dryRun;
    return this.services.db.withClient((client) => planWindows(client, this.target.shape, this.eligibility, { microsecondTimestamps, maxKeys }));
  }

  private pipeline(context: RunContext): PartPipeline<WrittenPart, QualifiedName, ArchiveSummary> {
    const { services, target, pacer } = this;
    const sealer = new PartSealer({ services, context, pacer });
    const purge = new PartPurge({ services, target, context, pacer });
    return new PartPipeline(
      {
        seal: (part) => sealer.seal(part),
        purge: (part) => purge.purge(part),
        drop: (partition, parts) => purge.drop(partition, parts),
        purged: (summaries) => addPurged(this.result, summaries),
      },
      { paced: pacer.paced, signal: context.signal },
    );
  }

  /**
   * The partition to drop instead of purging the window's rows: one that
   * covers exactly this month, before the cutoff, and whose every row leaves
   * with the window's archives. So never with child tables (they leave in
   * their parent's purge transaction, by key), nor when the job's filter or a
   * legal hold keeps some of the partition's rows: those rows must stay.
   */
  private async partitionToDrop(window: MonthWindow): Promise<QualifiedName | undefined> {
    const { services, target, eligibility, context } = this;
    if (target.children.length > 0) return undefined;
    const partition = await services.db.withClient((client) => wholeMonthPartition(client, target.shape, eligibility.time, window, eligibility.cutoff));
    if (!partition) return undefined;
    const kept = eligibility.holds ? 'rows under an active legal hold' : eligibility.filter ? "rows the job's filter leaves out" : undefined;
    if (!kept) return partition;
    this.logger.log({
      event: 'partition.kept', job: context.job, runId: context.runId, table: target.shape.table.name, partition: partition.name,
      why: `${kept} stay in the table, so the partition is not dropped; the window's archived rows are deleted by key instead`,
    });
    return undefined;
  }
}
