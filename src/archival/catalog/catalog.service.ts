/**
 * Reads and writes the catalog: runs and archives. The purge step marks an
 * archive purged inside its own delete transaction (engine/purger.ts), so
 * "purged" in the catalog and "deleted" in the table never disagree.
 */
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, FindOptionsWhere, In, LessThanOrEqual, MoreThanOrEqual, Repository } from 'typeorm';
import { ArchivalRun, RunTrigger } from './archival-run.entity';
import { ArchivedPartition } from './archived-partition.entity';
import { ArchiveStatus, RunStatus } from './statuses';

export type NewArchive = Omit<
  ArchivedPartition,
  'id' | 'status' | 'error' | 'archivedAt' | 'verifiedAt' | 'purgedAt' | 'manifestSha256' | 'restoredAt' | 'restoreRunId'
>;

export interface RunOutcome {
  status: RunStatus;
  rows: number;
  bytes: number;
  archives: number;
  error?: string | null;
  summary?: Record<string, unknown>;
}

export interface ArchiveFilter {
  table?: string;
  job?: string;
  status?: ArchiveStatus;
  /** Archives whose window ends on or after this date (YYYY-MM-DD). */
  from?: string;
  /** Archives whose window starts on or before this date (YYYY-MM-DD). */
  to?: string;
  limit?: number;
  offset?: number;
}

@Injectable()
export class CatalogService {
  private readonly runs: Repository<ArchivalRun>;
  private readonly archives: Repository<ArchivedPartition>;

  constructor(private readonly dataSource: DataSource) {
    this.runs = dataSource.getRepository(ArchivalRun);
    this.archives = dataSource.getRepository(ArchivedPartition);
  }

  async startRun(job: string, trigger: RunTrigger, dryRun: boolean, status: RunStatus = 'running'): Promise<ArchivalRun> {
    const run = this.runs.create({
      id: randomUUID(), job, trigger, dryRun, status, startedAt: new Date(), rows: 0, bytes: 0, archives: 0,
    });
    return this.runs.save(run);
  }

  async finishRun(id: string, outcome: RunOutcome): Promise<void> {
    await this.dataSource.query(
      `UPDATE archival_runs SET status = $2, rows = $3, bytes = $4, archives = $5, error = $6, summary = $7, finished_at = now()
        WHERE id = $1`,
      [id, outcome.status, outcome.rows, outcome.bytes, outcome.archives, outcome.error ?? null,
        outcome.summary === undefined ? null : JSON.stringify(outcome.summary)],
    );
  }

  findRun(id: string): Promise<ArchivalRun | null> {
    return this.runs.findOneBy({ id });
  }

  listRuns(filter: { job?: string; status?: RunStatus; limit?: number; offset?: number } = {}): Promise<ArchivalRun[]> {
    const where: FindOptionsWhere<ArchivalRun> = {};
    if (filter.job) where.job = filter.job;
    if (filter.status) where.status = filter.status;
    return this.runs.find({ where, order: { startedAt: 'DESC' }, take: filter.limit ?? 50, skip: filter.offset ?? 0 });
  }

  /** The most recent run of a job, whatever its outcome (dry runs and skips included). */
  lastRun(job: string): Promise<ArchivalRun | null> {
    return this.runs.findOne({ where: { job }, order: { startedAt: 'DESC' } });
  }

  /** Parts keep counting past failed and abandoned archives, so no key is ever reused for other rows. */
  async nextPart(table: string, startDate: string): Promise<number> {
    const [row] = await this.dataSource.query(
      `SELECT coalesce(max(part), 0) + 1 AS next FROM archived_partitions WHERE table_name = $1 AND start_date = $2`,
      [table, startDate],
    );
    return Number(row.next);
  }

  async recordWritten(archive: NewArchive): Promise<ArchivedPartition> {
    return this.archives.save(this.archives.create({ ...archive, status: 'written', archivedAt: new Date() }));
  }

  /** An archive that never became a stored object (the write failed midway). */
  async recordFailed(archive: NewArchive, error: string): Promise<ArchivedPartition> {
    return this.archives.save(this.archives.create({ ...archive, status: 'failed', error, archivedAt: new Date() }));
  }

  async markVerified(id: number, manifestSha256: string): Promise<void> {
    await this.archives.update(id, { status: 'verified', verifiedAt: new Date(), manifestSha256, error: null });
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.archives.update(id, { status: 'failed', error });
  }

  /** SHA-256 of the newest manifest of a table still in the chain (verified or purged). */
  async previousManifestSha(table: string): Promise<string | null> {
    const latest = await this.archives.findOne({
      where: { tableName: table, status: In(['verified', 'purged']) },
      order: { id: 'DESC' },
    });
    return latest?.manifestSha256 ?? null;
  }

  /** Archives of a job left written or verified (not purged) by an interrupted run. */
  unfinished(job: string): Promise<ArchivedPartition[]> {
    return this.archives.find({ where: { job, status: In(['written', 'verified']) }, order: { id: 'ASC' } });
  }

  /** Archives written for the parent archive `parentId` (child tables). */
  childArchives(parentId: number): Promise<ArchivedPartition[]> {
    return this.archives.find({ where: { parentId }, order: { id: 'ASC' } });
  }

  /** Archives by id, in id order (ids without an archive are left out). */
  findArchives(ids: number[]): Promise<ArchivedPartition[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.archives.find({ where: { id: In(ids) }, order: { id: 'ASC' } });
  }

  findArchive(id: number): Promise<ArchivedPartition | null> {
    return this.archives.findOneBy({ id });
  }

  listArchives(filter: ArchiveFilter = {}): Promise<ArchivedPartition[]> {
    const where: FindOptionsWhere<ArchivedPartition> = {};
    if (filter.table) where.tableName = filter.table;
    if (filter.job) where.job = filter.job;
    if (filter.status) where.status = filter.status;
    if (filter.from) where.endDate = MoreThanOrEqual(filter.from);
    if (filter.to) where.startDate = LessThanOrEqual(filter.to);
    return this.archives.find({ where, order: { id: 'ASC' }, take: filter.limit ?? 1000, skip: filter.offset ?? 0 });
  }
}
