/**
 * purge or drop: deletes a sealed part's rows, or drops the month partition
 * that holds exactly the sealed parts' rows, in one transaction that also
 * moves their catalog rows to "purged" (purger.ts, partitions.ts). Never
 * starts once the run was told to stop; a purge already under way commits or
 * rolls back whole.
 */
import { Logger } from '@nestjs/common';
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { reached, StepOptions } from './engine-services';
import { lockRestoredTables, strikeRearchivedKeys, SupersededArchive, supersedeRestored } from '../catalog/supersede';
import { markPurged } from '../catalog/transaction-marks';
import { QualifiedName } from '../sql/sql-identifier';
import { dropArchivedPartition } from './table-partitions';
import { assertNoChildren, PurgeMethod, purgeRows } from './purger';
import { RangeCheck } from './range-purge';
import { ArchiveSummary } from './run-context';
import { removeSupersededFiles } from './superseded-files';
import { TableTarget } from './table-target';
import { inWriteOrder, purgeRequest, RecordedArchive, WrittenPart } from './written-part';

export interface PartPurgeOptions extends StepOptions {
  target: TableTarget;
}

export class PartPurge {
  private readonly logger = new Logger(PartPurge.name);

  constructor(private readonly options: PartPurgeOptions) {}

  /**
   * One transaction purges the part's children, checks no child still
   * references a parent about to go, and purges the parents.
   */
  async purge(part: WrittenPart): Promise<ArchiveSummary> {
    const { services, target, context, pacer } = this.options;
    const onBatch = (table: string, rows: number, ms: number, method: PurgeMethod, check?: RangeCheck) =>
      this.logger.debug({ event: 'purge.batch', job: context.job, runId: context.runId, table, rows, ms, method, ...(check && { check }) });
    const pacing = { pacer, batchSize: services.options.batchSize, onBatch };
    const { parent, children } = part;
    await pacer.gate(); // wait out load before the purge transaction opens, never inside it
    context.signal.throwIfAborted(); // never purge once the run was told to stop
    let superseded: SupersededArchive[] = [];
    await services.db
      .transaction(async (client) => {
        await lockRestoredTables(client, [target.shape, ...target.children.map((c) => c.shape)]);
        for (const child of children) await purgeRows(client, child.shape, purgeRequest(child), pacing);
        for (const child of target.children) {
          await assertNoChildren(client, child.shape, child.spec.foreignKey, target.shape.keyType, parent.source.keyLog);
        }
        await purgeRows(client, target.shape, purgeRequest(parent), pacing);
        // Restored archives whose rows this part took again (catalog/supersede.ts).
        for (const archive of inWriteOrder(part)) await strikeRearchivedKeys(client, archive.shape, [archive.source.keyLog]);
        superseded = await supersedeRestored(client, target.shape, target.children.map((c) => c.shape), parent.record.id);
        // Rows deleted, not yet committed.
        await reached(services, 'mid-delete', context, target.shape.table.name, parent.record.archivePath);
      })
      .catch((error: Error) => this.afterFailedPurge(inWriteOrder(part), parent.record, error));
    await this.removeSuperseded(superseded);
    const summary = this.account(part);
    this.logger.log({ event: 'archive.purged', job: context.job, runId: context.runId, ...summary, ms: Date.now() - part.started });
    return summary;
  }

  /**
   * A month partition whose rows are all archived and sealed is detached and
   * dropped in one transaction (partitions.ts) instead of deleting its rows.
   * Only parts without children get here (the table run decides).
   */
  async drop(partition: QualifiedName, parts: WrittenPart[]): Promise<ArchiveSummary[]> {
    const { services, target, context } = this.options;
    const table = target.shape.table.name;
    const started = Date.now();
    const last = parts[parts.length - 1].parent.record;
    context.signal.throwIfAborted();
    let superseded: SupersededArchive[] = [];
    await services.db
      .transaction(async (client) => {
        await lockRestoredTables(client, [target.shape]);
        await dropArchivedPartition(client, target.shape, partition, parts.map((p) => p.parent.source.keyLog), last.archivePath);
        for (const { parent } of parts) await markPurged(client, parent.record.id, parent.record.archivePath, table);
        await strikeRearchivedKeys(client, target.shape, parts.map((p) => p.parent.source.keyLog));
        superseded = await supersedeRestored(client, target.shape, [], last.id);
        await reached(services, 'mid-delete', context, table, last.archivePath);
      })
      .catch((error: Error) => this.afterFailedPurge(parts.map((p) => p.parent), last, error));
    await this.removeSuperseded(superseded);
    const summaries = parts.map((part) => this.account(part));
    this.logger.log({
      event: 'partition.dropped', job: context.job, runId: context.runId, table, partition: partition.name,
      rows: summaries.reduce((sum, s) => sum + s.rows, 0), archives: parts.length, ms: Date.now() - started,
    });
    return summaries;
  }

  /** After the purge committed: superseded files leave the table's folder (a failure here is retried by the next run). */
  private async removeSuperseded(superseded: SupersededArchive[]): Promise<void> {
    if (superseded.length === 0) return;
    const { services, context } = this.options;
    for (const archive of superseded) services.metrics.superseded({ job: context.job, tableName: archive.tableName, storage: services.storage.type });
    await services.db.withClient((client) => removeSupersededFiles(client, services.storage, { ids: superseded.map((a) => a.id) })).catch((error: Error) =>
      this.logger.warn({ event: 'archive.superseded_file_kept', job: context.job, runId: context.runId, why: error.message, retry: 'the next run of the job removes it' }));
  }

  /**
   * A purge transaction threw. If it was its COMMIT whose reply was lost, the
   * server may have committed: the catalog row (moved to purged in the same
   * transaction) says so, and then the purge counts as done. Otherwise its
   * archives are marked failed (rows stayed in the table) and the error goes on;
   * an archive that moved on meanwhile is left as it is.
   */
  private async afterFailedPurge(archives: RecordedArchive[], last: ArchivedPartition, error: Error): Promise<void> {
    const { services, context } = this.options;
    if ((await services.catalog.archiveStatus(last.id).catch(() => undefined)) === 'purged') {
      this.logger.warn({ event: 'purge.committed_despite_error', job: context.job, runId: context.runId, archive: last.archivePath, error: error.message });
      return;
    }
    for (const { record } of archives) await services.catalog.markFailed(record.id, error.message).catch(() => undefined);
    throw error;
  }

  /** Metrics and run progress of a purged part. */
  private account(part: WrittenPart): ArchiveSummary {
    const { services, context } = this.options;
    const archives = inWriteOrder(part);
    for (const { record, source } of archives) services.metrics.purged(record, source.rows, record.compressedSize);
    context.progress.rows += archives.reduce((sum, a) => sum + a.source.rows, 0);
    context.progress.bytes += archives.reduce((sum, a) => sum + a.record.compressedSize, 0);
    context.progress.archives += archives.length;
    context.live?.advanced(part.parent.source.rows);
    const { parent, children } = part;
    return {
      id: parent.record.id, table: this.options.target.shape.table.name, path: parent.record.archivePath, rows: parent.source.rows, bytes: parent.record.compressedSize,
      children: children.map((c) => ({ table: c.record.tableName, rows: c.source.rows, bytes: c.record.compressedSize })),
    };
  }
}
