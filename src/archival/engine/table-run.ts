/**
 * One table's run, as docs/architecture.md draws it:
 *   plan → for each month window → for each part:
 *     write (part-writer) → seal: read back, verify, manifest, "verified" (part-sealer)
 *     → purge (part-purge), or, for a whole-month partition, drop it once every part is sealed.
 * The part pipeline (part-pipeline.ts) decides what overlaps: seals in order,
 * one purge in flight, a paced run one step at a time.
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
import { wholeMonthPartition } from './table-partitions';
import { addPurged, ArchiveSummary, describePlan, RunContext, TableRunResult, windowLabel } from './run-context';
import { QualifiedName } from '../sql/sql-identifier';
import { TableSpec } from './table-spec';
import { describeTarget, TableTarget } from './table-target';
import { UnfinishedArchives } from './unfinished-archives';
import { planWindows, WindowPlan } from './window-planner';
import { WrittenPart } from './written-part';

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

  constructor(
    private readonly services: EngineServices,
    private readonly target: TableTarget,
    private readonly eligibility: Eligibility,
    private readonly context: RunContext,
  ) {
    this.pacer = new Pacer(
      services.options.niceRatio, services.options.sleepBetweenBatchesMs, context.signal,
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
    const writer = new PartWriter({ services: this.services, target: this.target, eligibility: this.eligibility, context, pacer: this.pacer });
    const pipeline = this.pipeline();
    try {
      return await this.archiveWindows(plan, writer, pipeline);
    } finally {
      await this.pacer.close();
    }
  }

  private async archiveWindows(plan: WindowPlan[], writer: PartWriter, pipeline: PartPipeline<WrittenPart, QualifiedName, ArchiveSummary>): Promise<TableRunResult> {
    const { context, result } = this;
    try {
      for (const { window } of plan) {
        context.live?.entered(result.table, windowLabel(window));
        pipeline.startWindow(await this.partitionToDrop(window));
        let after: string | undefined;
        for (let full = true; full; ) {
          pipeline.throwIfStopped();
          const part = await writer.write(window, after);
          if (!part) break;
          await pipeline.add(part);
          after = part.parent.source.keyLog.lastKey;
          full = part.parent.source.rows >= this.services.options.maxRowsPerFile;
        }
        await pipeline.endWindow();
      }
      await pipeline.drain();
    } catch (error) {
      // Never leave a seal or a purge running behind a failed run, nor its unpurged archives pending.
      await pipeline.settle();
      await new UnfinishedArchives(this.services).abandonOfRun(context, error as Error);
      throw error;
    }
    return result;
  }

  private plan(): Promise<WindowPlan[]> {
    const microsecondTimestamps = this.services.codecs.forWriting().format.dialect === 'typed';
    return this.services.db.withClient((client) => planWindows(client, this.target.shape, this.eligibility, { microsecondTimestamps }));
  }

  private pipeline(): PartPipeline<WrittenPart, QualifiedName, ArchiveSummary> {
    const { services, target, context, pacer } = this;
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
