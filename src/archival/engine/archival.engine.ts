/**
 * The one loop every job runs, per table and month window:
 *   select → encode → compress → hash → write → read back and verify →
 *   record → manifest → purge.
 * Rows are deleted only after the stored archive was read back and matched
 * (size, SHA-256 of stored bytes and of content, row count, key sequence).
 */
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { PoolClient } from 'pg';
import { ArchivalOptions } from '../archival-options';
import { ARCHIVAL_HOOKS, ARCHIVAL_OPTIONS } from '../archival.constants';
import { VerificationError } from '../archival.errors';
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { CatalogService, NewArchive } from '../catalog/catalog.service';
import { ArchivalMetrics } from '../metrics/archival.metrics';
import { ARCHIVE_CODECS, ArchiveCodecs } from '../codec/archive-codec';
import { STORAGE_PROVIDER, StorageProvider } from '../storage/storage-provider.interface';
import { ArchivalDatabase } from './archival-database';
import { ArchivalHooks } from './archival-hooks';
import { archiveKey, isoDate, lastDay, manifestKey, MonthWindow, partitionName, uniqueOfRun } from './archive-naming';
import { compareReadBack, expectedFromRecord, hashStored, readArchive } from './archive-reader';
import { writeArchive, WrittenArchive } from './archive-writer';
import { eligiblePredicate } from './eligibility';
import { legalHoldExclusion } from './legal-holds';
import { buildManifest, writeManifest } from './manifest';
import { assertNoChildren, markPurged, PurgeMethod, purgeRows } from './purger';
import { dropArchivedPartition, wholeMonthPartition } from './partitions';
import { Pacer } from './pacer';
import { VerificationChain } from './verification-chain';
import { parentKeysJoin, stageParentKeys } from './parent-keys';
import { RowSource } from './row-source';
import { ArchiveSummary, describePlan, RunContext, TableRunResult, windowLabel } from './run-context';
import { assertIdentifier, parseTableName, QualifiedName } from './sql-identifier';
import { describeTable, TableShape } from './table-introspector';
import { ChildTableSpec, TableSpec } from './table-spec';
import { planWindows } from './window-planner';
import { RunThrottles } from '../throttle/run-throttles';
import { BatchSizer } from './batch-sizer';

/** Fields known only once an archive was fully written. */
type RecordedSizes = 'rowCount' | 'uncompressedSize' | 'compressedSize' | 'sha256' | 'contentSha256' | 'keysSha256' | 'minPk' | 'maxPk';

interface ChildShape {
  spec: ChildTableSpec;
  shape: TableShape;
}

interface PartArchives {
  parent: ProducedArchive;
  /** Children first, the parent last. */
  parts: ProducedArchive[];
  started: number;
  /** Settles once every archive of the part was read back, matched and got its manifest. */
  verified: Promise<void>;
}

interface ProducedArchive {
  shape: TableShape;
  record: ArchivedPartition;
  source: RowSource;
  window: MonthWindow;
  written: WrittenArchive;
}

function purgeRequest({ record, source }: ProducedArchive) {
  return { archiveId: record.id, archivePath: record.archivePath, keys: source.keyLog, predicate: source.rangePredicate };
}

@Injectable()
export class ArchivalEngine {
  private readonly logger = new Logger(ArchivalEngine.name);

  constructor(
    private readonly db: ArchivalDatabase,
    private readonly catalog: CatalogService,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    @Inject(ARCHIVE_CODECS) private readonly codecs: ArchiveCodecs,
    @Inject(ARCHIVAL_OPTIONS) private readonly options: ArchivalOptions,
    private readonly metrics: ArchivalMetrics,
    private readonly throttles: RunThrottles,
    @Optional() @Inject(ARCHIVAL_HOOKS) private readonly hooks: ArchivalHooks = {},
  ) {}

  /** Archives every eligible row of one table (rows older than `cutoff`). */
  async archiveTable(spec: TableSpec, cutoff: Date, context: RunContext): Promise<TableRunResult> {
    const shape = await this.describe(spec.table, spec.key, spec.time);
    const children: ChildShape[] = [];
    for (const child of spec.children ?? []) {
      assertIdentifier(child.foreignKey, `foreign key of ${child.table}`);
      children.push({ spec: child, shape: await this.describe(child.table, child.key ?? 'id') });
    }
    // Rows under an active legal hold are not eligible, whatever their age.
    const holds = await this.db.withClient((client) => legalHoldExclusion(client, shape.table, shape.key));
    if (holds) spec = { ...spec, filter: spec.filter ? `(${spec.filter}) AND ${holds}` : holds };
    const plan = await this.db.withClient((client) => planWindows(client, shape, spec, cutoff, { microsecondTimestamps: this.codecs.forWriting().format.dialect === 'typed' }));
    const result: TableRunResult = {
      table: shape.table.name, cutoff: cutoff.toISOString(), rows: 0, bytes: 0, archives: [],
      children: children.map((c) => ({ table: c.shape.table.name, rows: 0, bytes: 0, archives: 0 })),
    };
    if (context.dryRun) {
      result.plan = describePlan(plan, this.options.maxRowsPerFile);
      result.rows = plan.reduce((sum, p) => sum + p.rows, 0);
      return result;
    }
    context.live?.planned(shape.table.name, plan.reduce((sum, p) => sum + p.rows, 0));
    const done = (summaries: ArchiveSummary[]) => {
      for (const archive of summaries) {
        result.archives.push(archive);
        result.rows += archive.rows;
        result.bytes += archive.bytes;
        for (const child of archive.children) {
          const totals = result.children.find((c) => c.table === child.table)!;
          totals.rows += child.rows;
          totals.bytes += child.bytes;
          totals.archives++;
        }
      }
    };
    const pacer = new Pacer(this.options.niceRatio, this.options.sleepBetweenBatchesMs, context.signal, this.throttles.forRun(context.job, context.live),
      new BatchSizer(this.options.batchSize, this.options.targetStepMs));
    // Pipelined: once a part is written, the next part is written (keyset after its last key) while
    // this one is read back and verified, then purged; verifications run one after another, in
    // catalog order (the manifest chain), and at most one purge is in flight.
    // A paced run does one thing at a time: it waits for each verification and each purge.
    const verifications = new VerificationChain();
    let pending: Promise<void> = Promise.resolve();
    try {
      for (const { window } of plan) {
        context.live?.entered(shape.table.name, windowLabel(window));
        const partition = children.length === 0 && !spec.filter
          ? await this.db.withClient((client) => wholeMonthPartition(client, shape, spec.time, window, cutoff))
          : undefined;
        const deferred: PartArchives[] = [];
        let after: string | undefined;
        for (;;) {
          context.signal.throwIfAborted();
          verifications.throwIfFailed();
          const part = await this.producePart(spec, shape, children, window, cutoff, context, pacer, verifications, after);
          if (!part) break;
          after = part.parent.source.keyLog.lastKey;
          if (pacer.paced) await part.verified;
          if (partition) deferred.push(part);
          else {
            await pending;
            pending = part.verified.then(() => this.purgePart(shape, children, part, context, pacer)).then((summary) => done([summary]));
            pending.catch(() => undefined); // awaited before the next purge and at the end
            if (pacer.paced) await pending;
          }
          if (part.parent.source.rows < this.options.maxRowsPerFile) break;
        }
        if (partition && deferred.length > 0) {
          await pending;
          await Promise.all(deferred.map((part) => part.verified));
          done(await this.dropPartition(shape, partition, deferred, context));
        }
      }
      await pending;
    } catch (error) {
      // Never leave a verification or a purge running behind a failed run, nor its unpurged archives pending.
      await verifications.settled();
      await pending.catch(() => undefined);
      await this.abandonUnpurged(context, error as Error);
      throw error;
    }
    return result;
  }

  /**
   * A month partition whose rows are all archived and verified is detached and
   * dropped in one transaction (partitions.ts) instead of deleting its rows.
   */
  private async dropPartition(shape: TableShape, partition: QualifiedName, parts: PartArchives[], context: RunContext): Promise<ArchiveSummary[]> {
    const started = Date.now();
    const last = parts[parts.length - 1].parent.record;
    context.signal.throwIfAborted();
    await this.db
      .transaction(async (client) => {
        await dropArchivedPartition(client, shape, partition, parts.map((p) => p.parent.source.keyLog), last.archivePath);
        for (const { parent } of parts) await markPurged(client, parent.record.id, parent.record.archivePath, shape.table.name);
        await this.hooks.at?.('mid-delete', { job: context.job, table: shape.table.name, archivePath: last.archivePath, storage: this.storage });
      })
      .catch((error: Error) => this.afterFailedPurge(parts.map((p) => p.parent), last, context, error));
    const summaries = parts.map(({ parent }) => this.account([parent], parent, shape, context));
    this.logger.log({
      event: 'partition.dropped', job: context.job, runId: context.runId, table: shape.table.name, partition: partition.name,
      rows: summaries.reduce((sum, s) => sum + s.rows, 0), archives: parts.length, ms: Date.now() - started,
    });
    return summaries;
  }

  /**
   * Archives left "written" or "verified" by an interrupted run still have all
   * their rows in the table (the purge marks "purged" in its own transaction),
   * so their objects are removed and the rows are archived again afresh.
   */
  async discardUnfinished(job: string, runId: string): Promise<number> {
    const unfinished = await this.catalog.unfinished(job);
    await this.abandon(unfinished, job, runId, `the run that wrote it stopped before purging; its rows stayed in the table and run ${runId} archives them again`);
    return unfinished.length;
  }

  /**
   * Archives this run wrote but did not purge (a part written while an earlier
   * one failed, or verified but not purged) are abandoned at once, saying why.
   * If that fails too, they stay unfinished and the next run discards them.
   */
  private async abandonUnpurged(context: RunContext, cause: Error): Promise<void> {
    try {
      const unpurged = (await this.catalog.unfinished(context.job)).filter((a) => a.runId === context.runId);
      await this.abandon(unpurged, context.job, context.runId, `the run stopped before purging it (${cause.message}); its rows stayed in the table`);
    } catch (error) {
      this.logger.warn({ event: 'archive.abandon_failed', job: context.job, runId: context.runId, why: (error as Error).message });
    }
  }

  /**
   * Marks the archives failed ("abandoned: <why>"), then removes their objects.
   * An archive that another transaction holds (a purge committing it) or that
   * moved on meanwhile is left alone, objects included: the catalog decides
   * first, and storage follows.
   */
  private async abandon(archives: ArchivedPartition[], job: string, runId: string, why: string): Promise<void> {
    for (const archive of archives) {
      if (!(await this.catalog.abandonIfFree(archive.id, why))) {
        this.logger.warn({ event: 'archive.abandon_skipped', job, runId, archive: archive.archivePath, why: 'held or moved on by another transaction' });
        continue;
      }
      await this.storage.remove(archive.archivePath);
      await this.storage.remove(archive.manifestPath);
      this.logger.warn({ event: 'archive.abandoned', job, runId, archive: archive.archivePath, status: archive.status });
    }
  }

  private async describe(tableName: string, key: string, time?: string): Promise<TableShape> {
    const table = parseTableName(tableName);
    assertIdentifier(key, `key column of ${tableName}`);
    if (time !== undefined) assertIdentifier(time, `time column of ${tableName}`);
    return this.db.withClient((client) => describeTable(client, table, key, time));
  }

  /**
   * One part, produced: the parent rows, then each child table's rows of
   * those parents, each written, read back and verified. Nothing is deleted yet.
   */
  private async producePart(
    spec: TableSpec,
    shape: TableShape,
    children: ChildShape[],
    window: MonthWindow,
    cutoff: Date,
    context: RunContext,
    pacer: Pacer,
    verifications: VerificationChain,
    startAfter: string | undefined,
  ): Promise<PartArchives | undefined> {
    const started = Date.now();
    const parent = await this.write(shape, spec.archiveName ?? shape.table.name, window, context, null, (client) =>
      new RowSource(client, shape, {
        predicate: eligiblePredicate(spec, window, cutoff),
        batchSize: this.options.batchSize,
        dialect: this.codecs.forWriting().format.dialect,
        limit: this.options.maxRowsPerFile,
        pacer,
        signal: context.signal,
        startAfter,
        onBatch: this.batchLogger(context, shape),
      }),
    );
    if (!parent) return undefined;
    const parts: ProducedArchive[] = [];
    for (const child of children) {
      const produced = await this.write(child.shape, child.shape.table.name, window, context, parent.record.id, async (client) => {
        await stageParentKeys(client, shape.keyType, parent.source.keyLog);
        return new RowSource(client, child.shape, {
          predicate: 'true',
          join: parentKeysJoin(child.spec.foreignKey),
          batchSize: this.options.batchSize,
          dialect: this.codecs.forWriting().format.dialect,
          limit: Number.MAX_SAFE_INTEGER,
          pacer,
          signal: context.signal,
          onBatch: this.batchLogger(context, child.shape),
        });
      });
      if (produced) parts.push(produced);
    }
    // The parent first, then its children, in the order they were written (catalog order).
    const inWriteOrder = [parent, ...parts];
    const verified = verifications.then(async () => {
      for (const produced of inWriteOrder) await this.seal(produced, context, pacer);
    });
    verified.catch(() => undefined); // handled where it is awaited (before the purge or the drop)
    parts.push(parent);
    return { parent, parts, started, verified };
  }

  /**
   * One transaction purges the part's children, checks no child still
   * references a parent about to go, and purges the parents.
   */
  private async purgePart(shape: TableShape, children: ChildShape[], part: PartArchives, context: RunContext, pacer: Pacer): Promise<ArchiveSummary> {
    const onBatch = (table: string, rows: number, ms: number, method: PurgeMethod) =>
      this.logger.debug({ event: 'purge.batch', job: context.job, runId: context.runId, table, rows, ms, method });
    const pacing = { pacer, batchSize: this.options.batchSize, onBatch };
    const { parent, parts } = part;
    await pacer.gate(); // wait out load before the purge transaction opens, never inside it
    context.signal.throwIfAborted(); // never purge once the run was told to stop
    await this.db
      .transaction(async (client) => {
        for (const produced of parts) {
          if (produced !== parent) await purgeRows(client, produced.shape, purgeRequest(produced), pacing);
        }
        for (const child of children) await assertNoChildren(client, child.shape, child.spec.foreignKey, shape.keyType, parent.source.keyLog);
        await purgeRows(client, shape, purgeRequest(parent), pacing);
        // Rows deleted, not yet committed.
        await this.hooks.at?.('mid-delete', { job: context.job, table: shape.table.name, archivePath: parent.record.archivePath, storage: this.storage });
      })
      .catch((error: Error) => this.afterFailedPurge(parts, parent.record, context, error));
    const summary = this.account(parts, parent, shape, context);
    this.logger.log({
      event: 'archive.purged', job: context.job, runId: context.runId, ...summary, ms: Date.now() - part.started,
    });
    return summary;
  }

  /**
   * A purge transaction threw. If it was its COMMIT whose reply was lost, the
   * server may have committed: the catalog row (moved to purged in the same
   * transaction) says so, and then the purge counts as done. Otherwise its
   * archives are marked failed (rows stayed in the table) and the error goes on;
   * an archive that moved on meanwhile is left as it is.
   */
  private async afterFailedPurge(parts: ProducedArchive[], last: ArchivedPartition, context: RunContext, error: Error): Promise<void> {
    if ((await this.catalog.archiveStatus(last.id).catch(() => undefined)) === 'purged') {
      this.logger.warn({ event: 'purge.committed_despite_error', job: context.job, runId: context.runId, archive: last.archivePath, error: error.message });
      return;
    }
    for (const { record } of parts) await this.catalog.markFailed(record.id, error.message).catch(() => undefined);
    throw error;
  }

  /** Metrics and run progress of a purged part. */
  private account(parts: ProducedArchive[], parent: ProducedArchive, shape: TableShape, context: RunContext): ArchiveSummary {
    for (const produced of parts) this.metrics.purged(produced.record, produced.source.rows, produced.record.compressedSize);
    const children = parts.filter((p) => p !== parent).map((p) => ({ table: p.record.tableName, rows: p.source.rows, bytes: p.record.compressedSize }));
    context.progress.rows += parts.reduce((sum, p) => sum + p.source.rows, 0);
    context.progress.bytes += parts.reduce((sum, p) => sum + p.record.compressedSize, 0);
    context.progress.archives += parts.length;
    context.live?.advanced(parent.source.rows);
    return { id: parent.record.id, table: shape.table.name, path: parent.record.archivePath, rows: parent.source.rows, bytes: parent.record.compressedSize, children };
  }

  /** select → encode → compress → hash → write → record, for one table. */
  private async write(
    shape: TableShape,
    name: string,
    window: MonthWindow,
    context: RunContext,
    parentId: number | null,
    open: (client: PoolClient) => RowSource | Promise<RowSource>,
  ): Promise<ProducedArchive | undefined> {
    const table = shape.table.name;
    const part = await this.catalog.allocatePart(shape.table.schema, table, isoDate(window.start));
    const codec = this.codecs.forWriting();
    const path = archiveKey({
      schema: shape.table.schema, name: assertIdentifier(name, 'archive name'), window, part, unique: uniqueOfRun(context.runId), extension: codec.extension,
    });
    const identity = {
      job: context.job,
      schemaName: shape.table.schema,
      tableName: table,
      partitionName: partitionName(name, window, part),
      part,
      startDate: isoDate(window.start),
      endDate: isoDate(lastDay(window)),
      archivePath: path,
      manifestPath: manifestKey(path),
      storage: this.storage.type,
      format: codec.format.name,
      compression: codec.compression.name,
      encrypted: codec.encrypted,
      runId: context.runId,
      parentId,
    };
    const hookContext = { job: context.job, table, archivePath: path, storage: this.storage };
    let source: RowSource | undefined;
    let written: WrittenArchive | undefined;
    try {
      written = await this.db.withClient(async (client) => {
        source = await open(client);
        const lines = await source.open();
        const midWrite = () => this.hooks.at?.('mid-multipart', hookContext);
        return lines && writeArchive(this.storage, path, lines, codec, shape.columns, shape.key, midWrite);
      });
    } catch (error) {
      // A write that failed midway is on record (status failed, why); storage holds no object under its key.
      if (source && source.rows > 0) await this.recordFailedWrite(identity, source, error as Error, context);
      throw error;
    }
    if (!written || !source) return undefined;
    await this.hooks.at?.('after-write', hookContext);
    const record = await this.catalog.recordWritten({
      ...identity,
      rowCount: source.rows,
      uncompressedSize: written.contentBytes,
      compressedSize: written.storedBytes,
      sha256: written.storedSha256,
      contentSha256: written.contentSha256,
      keysSha256: source.keysSha256(),
      minPk: source.keyLog.firstKey ?? null,
      maxPk: source.keyLog.lastKey ?? null,
    });
    await this.hooks.at?.('after-catalog-insert', hookContext);
    await this.hooks.afterWrite?.(hookContext);
    return { shape, record, source, window, written };
  }

  /** read back and verify → manifest (chained to the table's previous one) → "verified". */
  private async seal({ shape, record, window, written }: ProducedArchive, context: RunContext, pacer: Pacer): Promise<void> {
    const hookContext = { job: context.job, table: record.tableName, archivePath: record.archivePath, storage: this.storage };
    await this.verify(record, shape, context, pacer);
    const previous = await this.catalog.previousManifestSha(record.tableName);
    const manifest = buildManifest(record, shape, window, previous, written.encryption);
    const manifestSha = await writeManifest(this.storage, record.manifestPath, manifest);
    await this.catalog.markVerified(record.id, manifestSha);
    await this.hooks.at?.('after-verify', hookContext);
    await this.hooks.afterVerify?.(hookContext);
  }

  private async recordFailedWrite(identity: Omit<NewArchive, RecordedSizes>, source: RowSource, error: Error, context: RunContext) {
    const message = `writing ${identity.archivePath} failed after ${source.rows} rows: ${error.message}; nothing was deleted`;
    await this.catalog.recordFailed({
      ...identity,
      rowCount: source.rows,
      uncompressedSize: 0,
      compressedSize: 0,
      sha256: null,
      contentSha256: null,
      keysSha256: null,
      minPk: source.keyLog.firstKey ?? null,
      maxPk: source.keyLog.lastKey ?? null,
    }, message);
    this.logger.error({ event: 'archive.write_failed', job: context.job, runId: context.runId, table: identity.tableName, archive: identity.archivePath, why: error.message });
  }

  /** Reads the stored archive back and compares it with what was written; marks it failed on any difference. */
  private async verify(record: ArchivedPartition, shape: TableShape, context: RunContext, pacer: Pacer): Promise<void> {
    const { archivePath: path, tableName: table } = record;
    const codec = this.codecs.of(record, path);
    const midVerify = () => this.hooks.at?.('mid-verify', { job: context.job, table, archivePath: path, storage: this.storage });
    const readBack = await readArchive(this.storage, path, codec, shape.columns, shape.key, undefined, pacer, midVerify).catch(async (error: Error) => {
      const stored = await hashStored(this.storage, path).catch(() => undefined);
      const checksum = stored && stored.sha256 !== record.sha256 ? `; stored SHA-256 ${stored.sha256}, expected ${record.sha256}` : '';
      throw await this.verificationFailed(record.id, path, table, context, `could not be read back: ${error.message}${checksum}`);
    });
    const problems = compareReadBack(expectedFromRecord(record), readBack);
    if (problems.length > 0) throw await this.verificationFailed(record.id, path, table, context, problems.join('; '));
  }

  private batchLogger(context: RunContext, shape: TableShape) {
    return (rows: number, ms: number) =>
      this.logger.debug({ event: 'batch', job: context.job, runId: context.runId, table: shape.table.name, rows, ms });
  }

  private async verificationFailed(id: number, path: string, table: string, context: RunContext, why: string) {
    const message = `verification of ${path} failed: ${why}; nothing was deleted`;
    await this.catalog.markFailed(id, message);
    this.metrics.verifyFailed({ job: context.job, tableName: table, storage: this.storage.type });
    this.logger.error({ event: 'archive.verify_failed', job: context.job, runId: context.runId, table, archive: path, why });
    return new VerificationError(message, table, path, context.runId);
  }
}
