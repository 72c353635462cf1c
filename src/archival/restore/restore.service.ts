/**
 * Puts archived rows back into their tables: one archive (with its child
 * archives), or every archive of a table whose window overlaps a date range.
 *
 * Each parent archive and its children restore in one transaction. Rows go in
 * as they are read (constant memory) and the read-back is compared with the
 * catalog (stored SHA-256, content SHA-256, row count, key sequence) before
 * the commit: a corrupt, truncated or undecryptable archive restores nothing,
 * and the error names the file and why. Restored archives get `restored_at`
 * (the watermark); a repeated restore skips them unless ignoreWatermark.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ArchivalError, ConflictError, CorruptArchiveError, EncryptionError, InvalidInputError, NotFoundError, RestoreError, StorageError,
} from '../archival.errors';
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { RunTrigger } from '../catalog/archival-run.entity';
import { CatalogService } from '../catalog/catalog.service';
import { ARCHIVE_CODECS, ArchiveCodecs } from '../codec/archive-codec';
import { ArchivalDatabase } from '../engine/archival-database';
import { compareReadBack, expectedFromRecord, hashStored } from '../engine/archive-reader';
import { Manifest } from '../engine/manifest';
import { parseTableName, QualifiedName, quoteIdent, quoteTable } from '../sql/sql-identifier';
import { tableColumns } from '../engine/table-introspector';
import { STORAGE_PROVIDER, StorageProvider } from '../storage/storage-provider.interface';
import { ArchiveStatus } from '../catalog/statuses';
import { assertNotRearchived, recordRestoredKeys } from '../catalog/supersede';
import { markRestored } from '../catalog/transaction-marks';
import { assertDateRange } from '../input/operator-input';
import { ArchivalMetrics } from '../metrics/archival.metrics';
import { loadArchive } from '../readback/archive-loader';
import { readTrustedManifest, restoreTarget } from '../readback/trusted-manifest';

export const CONFLICT_STRATEGIES = ['skip', 'overwrite', 'fail'] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

export interface RestoreRequest {
  archiveId?: number;
  table?: string;
  /** YYYY-MM-DD: archives whose window ends on or after it. */
  from?: string;
  /** YYYY-MM-DD: archives whose window starts on or before it. */
  to?: string;
  /** What to do with a row whose key is already in the table (default skip). */
  conflict?: ConflictStrategy;
  dryRun?: boolean;
  /** Restore archives already restored before. */
  ignoreWatermark?: boolean;
}

export interface RestoredArchive {
  id: number;
  table: string;
  path: string;
  rows: number;
  /** Rows inserted (or, with overwrite, inserted or updated). */
  written: number;
  skipped?: 'already restored';
}

export interface RestoreReport {
  runId: string | null;
  status: 'succeeded' | 'failed';
  dryRun: boolean;
  conflict: ConflictStrategy;
  archives: RestoredArchive[];
  rows: number;
  written: number;
  error?: string;
}

/** Archives a restore reads: purged ones, and restored ones (skipped unless ignoreWatermark). */
const RESTORABLE: readonly ArchiveStatus[] = ['purged', 'restored'];

@Injectable()
export class RestoreService {
  private readonly logger = new Logger(RestoreService.name);

  constructor(
    private readonly catalog: CatalogService,
    private readonly db: ArchivalDatabase,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    @Inject(ARCHIVE_CODECS) private readonly codecs: ArchiveCodecs,
    private readonly metrics: ArchivalMetrics,
  ) {}

  /** Starts a restore in the background, recorded as a run (job "restore"); poll the run for its report. */
  async start(request: RestoreRequest, trigger: RunTrigger): Promise<{ runId: string }> {
    const groups = await this.select(request); // bad requests fail here, before a run exists
    const run = await this.catalog.startRun('restore', trigger, request.dryRun ?? false);
    void this.execute(groups, request, run.id).catch(() => undefined);
    return { runId: run.id };
  }

  /** Restores and waits; records a run as well. */
  async restore(request: RestoreRequest, trigger: RunTrigger): Promise<RestoreReport> {
    const groups = await this.select(request);
    const run = await this.catalog.startRun('restore', trigger, request.dryRun ?? false);
    return this.execute(groups, request, run.id);
  }

  private async execute(groups: ArchivedPartition[][], request: RestoreRequest, runId: string): Promise<RestoreReport> {
    const conflict = request.conflict ?? 'skip';
    const report: RestoreReport = { runId, status: 'succeeded', dryRun: request.dryRun ?? false, conflict, archives: [], rows: 0, written: 0 };
    const started = Date.now();
    let failure: Error | undefined;
    try {
      for (const group of groups) {
        if (group[0].status === 'restored' && !request.ignoreWatermark) {
          report.archives.push(...group.map((a) => this.entry(a, 0, 'already restored')));
          continue;
        }
        if (report.dryRun) {
          report.archives.push(...group.map((a) => this.entry(a, 0)));
          report.rows += group.reduce((sum, a) => sum + a.rowCount, 0);
          continue;
        }
        const restored = await this.restoreGroup(group, conflict, runId);
        report.archives.push(...restored);
        report.rows += restored.reduce((sum, a) => sum + a.rows, 0);
        report.written += restored.reduce((sum, a) => sum + a.written, 0);
      }
    } catch (error) {
      report.status = 'failed';
      report.error = (error as Error).message;
      failure = error as Error;
    }
    await this.catalog.finishRun(runId, {
      status: report.status, rows: report.written, bytes: 0, archives: report.archives.filter((a) => !a.skipped).length,
      error: report.error ?? null, summary: { restore: report as unknown as Record<string, unknown> },
    });
    const event = { event: `restore.${report.status}`, runId, rows: report.rows, written: report.written, archives: report.archives.length, ms: Date.now() - started };
    if (report.status === 'failed') this.logger.error({ ...event, error: report.error });
    else this.logger.log(event);
    if (failure) throw failure;
    return report;
  }

  /** Parent archives with their children, in catalog order; validates the request. */
  async select(request: RestoreRequest): Promise<ArchivedPartition[][]> {
    const conflict = request.conflict ?? 'skip';
    if (!CONFLICT_STRATEGIES.includes(conflict)) {
      throw new InvalidInputError(`conflict=${JSON.stringify(conflict)}: expected one of ${CONFLICT_STRATEGIES.join(', ')}`);
    }
    let parents: ArchivedPartition[];
    if (request.archiveId !== undefined) {
      const archive = await this.catalog.findArchive(request.archiveId);
      if (!archive) throw new NotFoundError(`no archive ${request.archiveId}`);
      if (archive.status === 'superseded') {
        throw new ConflictError(`archive ${archive.id} (${archive.archivePath}) is superseded: a restore put its rows back and archive ${archive.supersededBy} took them again; restore that one`);
      }
      if (!RESTORABLE.includes(archive.status)) {
        throw new ConflictError(`archive ${archive.id} (${archive.archivePath}) is ${archive.status}: only purged archives hold rows that are not in the table${archive.error ? ` (${archive.error})` : ''}`);
      }
      parents = [archive];
    } else {
      if (!request.table) throw new InvalidInputError('give an archive id, or a table (with optional from/to dates)');
      assertDateRange(request);
      const table = parseTableName(request.table);
      const live = (status: 'purged' | 'restored') => this.catalog.listArchives({
        table: table.name, schema: table.schema, from: request.from, to: request.to, status, limit: Number.MAX_SAFE_INTEGER,
      });
      parents = [...(await live('purged')), ...(await live('restored'))].sort((a, b) => a.id - b.id);
      if (parents.length === 0) throw new NotFoundError(`no purged archives of ${request.table} between ${request.from ?? 'the first'} and ${request.to ?? 'the last'}`);
    }
    const groups: ArchivedPartition[][] = [];
    for (const parent of parents) {
      const children = (await this.catalog.childArchives(parent.id)).filter((c) => RESTORABLE.includes(c.status));
      groups.push([parent, ...children]);
    }
    // Refuse up front, before a run exists, when a manifest was altered; the transaction checks again.
    for (const archive of groups.flat()) {
      if (archive.status !== 'restored' || request.ignoreWatermark) await readTrustedManifest(this.storage, archive, this.liveColumns);
    }
    return groups;
  }

  private async restoreGroup(group: ArchivedPartition[], conflict: ConflictStrategy, runId: string): Promise<RestoredArchive[]> {
    const restored: RestoredArchive[] = [];
    await this.db.transaction(async (client) => {
      for (const archive of group) {
        const manifest = await this.trustedManifest(archive);
        const target = await restoreTarget(client, archive, manifest).catch((error: Error) => {
          const message = `cannot restore ${archive.archivePath}: ${error.message}; nothing was restored`;
          throw error instanceof CorruptArchiveError ? new CorruptArchiveError(message, archive.archivePath) : new RestoreError(message);
        });
        await assertNotRearchived(client, archive, target.table, target.keyType);
        const key = quoteIdent(target.keyColumn);
        const updated = target.insert.filter((c) => c.name !== target.keyColumn && !c.generated);
        const onConflict =
          conflict === 'skip'
            ? `ON CONFLICT (${key}) DO NOTHING`
            : conflict === 'overwrite'
              ? `ON CONFLICT (${key}) DO UPDATE SET ${updated.map((c) => `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`).join(', ')}`
              : '';
        let result;
        try {
          const codec = this.codecs.of(archive, archive.archivePath);
          result = await loadArchive(client, this.storage, codec, {
            archivePath: archive.archivePath, columns: target.archived, insertColumns: target.insert, keyColumn: target.keyColumn,
            target: quoteTable(target.table), onConflict,
            afterInsert: (keys) => recordRestoredKeys(client, archive.id, keys),
          });
        } catch (error) {
          throw await this.loadFailure(archive, target.keyColumn, target.table.name, error as Error);
        }
        const problems = compareReadBack(expectedFromRecord(archive), result);
        if (problems.length > 0) {
          throw new CorruptArchiveError(`restore of ${archive.archivePath} refused: the archive does not match the catalog (${problems.join('; ')}); nothing was restored`, archive.archivePath);
        }
        await markRestored(client, { archive, runId, schema: target.table.schema });
        restored.push(this.entry(archive, result.inserted));
      }
    }).catch(async (error: Error) => {
      if (!(await this.committedDespite(group, restored, runId, error))) throw error;
    });
    for (const archive of group) this.metrics.restored(archive);
    return restored;
  }

  /**
   * The restore's transaction threw after its last archive was loaded: if it
   * was its COMMIT whose reply was lost, the server may have committed. The
   * catalog says so (the archives' watermark is this run's, written in the
   * same transaction), and then the restore counts as done; reporting it
   * failed would invite a retry that skips or overwrites what it put back.
   */
  private async committedDespite(group: ArchivedPartition[], restored: RestoredArchive[], runId: string, error: Error): Promise<boolean> {
    if (restored.length < group.length) return false;
    const last = await this.catalog.findArchive(group[group.length - 1].id).catch(() => null);
    if (last?.restoreRunId !== runId) return false;
    this.logger.warn({ event: 'restore.committed_despite_error', runId, archive: last.archivePath, error: error.message });
    return true;
  }

  /**
   * Why loading an archive failed, as the class of its kind: the stored file
   * no longer matches the catalog, storage failed, the key did not decrypt,
   * or the table refused the rows (a key already there with conflict=fail).
   */
  private async loadFailure(archive: ArchivedPartition, keyColumn: string, table: string, error: Error): Promise<ArchivalError> {
    const path = archive.archivePath;
    const stored = await hashStored(this.storage, path).catch(() => undefined);
    if (stored && stored.sha256 !== archive.sha256) {
      return new CorruptArchiveError(`restore of ${path} failed: ${error.message} (the stored file is corrupt: SHA-256 ${stored.sha256}, catalog ${archive.sha256}); nothing was restored`, path);
    }
    const duplicate = (error as { code?: string }).code === '23505';
    const message = `restore of ${path} failed: ${duplicate ? `a row with the same ${keyColumn} is already in ${table} (conflict=fail)` : error.message}; nothing was restored`;
    if (error instanceof StorageError) return new StorageError(message, path);
    if (error instanceof EncryptionError) return new EncryptionError(message);
    if (error instanceof CorruptArchiveError) return new CorruptArchiveError(message, path);
    return new RestoreError(message);
  }

  /** The archive's manifest once it matched the catalog; a restore stops at the first that does not. */
  private trustedManifest(archive: ArchivedPartition): Promise<Manifest> {
    return readTrustedManifest(this.storage, archive, this.liveColumns).catch((error: Error) => {
      if (!(error instanceof CorruptArchiveError)) throw error;
      throw new CorruptArchiveError(`cannot restore ${archive.archivePath}: ${error.message}; nothing was restored`, archive.archivePath);
    });
  }

  private readonly liveColumns = (table: QualifiedName) => this.db.withClient((client) => tableColumns(client, table));

  private entry(archive: ArchivedPartition, written: number, skipped?: 'already restored'): RestoredArchive {
    return { id: archive.id, table: archive.tableName, path: archive.archivePath, rows: archive.rowCount, written, ...(skipped ? { skipped } : {}) };
  }
}
