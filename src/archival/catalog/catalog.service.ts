/**
 * Reads and writes the catalog: runs and archives. The purge step marks an
 * archive purged inside its own delete transaction (engine/purger.ts), so
 * "purged" in the catalog and "deleted" in the table never disagree.
 */
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, FindOptionsWhere, In, IsNull, LessThanOrEqual, MoreThanOrEqual, Not, Repository } from 'typeorm';
import { QualifiedName } from '../sql/sql-identifier';
import { ArchivalRun, RunTrigger } from './archival-run.entity';
import { ArchivedPartition } from './archived-partition.entity';
import { moveArchive, moveArchiveIfFree, moveRun, NOW, RowsQuery } from './status-moves';
import { ArchiveStatus, LIVE, RunStatus, UNFINISHED } from './statuses';

export type NewArchive = Omit<
  ArchivedPartition,
  'id' | 'status' | 'error' | 'archivedAt' | 'verifiedAt' | 'chainSeq' | 'purgedAt' | 'manifestSha256' | 'restoredAt' | 'restoreRunId'
  | 'restoredKeys' | 'restoredKeyCount' | 'supersededAt' | 'supersededBy' | 'fileRemovedAt'
>;

export interface RunOutcome {
  status: RunStatus;
  rows: number;
  bytes: number;
  archives: number;
  error?: string | null;
  summary?: Record<string, unknown>;
}

/** Purged archives of one job's table whose window starts in one month (YYYY-MM). */
export interface ArchivedMonth {
  job: string;
  schema: string;
  table: string;
  month: string;
  archives: number;
  rows: number;
  bytes: number;
}

export interface ArchiveFilter {
  table?: string;
  /** With `table`: only that schema's table (restore and export pick one table, never a same-named one elsewhere). */
  schema?: string;
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

  /** One statement's rows, through a query runner (DataSource.query returns [rows, count] for an UPDATE). */
  private readonly query: RowsQuery = async (sql, params) => {
    const runner = this.dataSource.createQueryRunner();
    try {
      return (await runner.query(sql, params, true)).records;
    } finally {
      await runner.release();
    }
  };

  constructor(private readonly dataSource: DataSource) {
    this.runs = dataSource.getRepository(ArchivalRun);
    this.archives = dataSource.getRepository(ArchivedPartition);
  }

  async startRun(job: string, trigger: RunTrigger, dryRun: boolean): Promise<ArchivalRun> {
    const run = this.runs.create({
      id: randomUUID(), job, trigger, dryRun, status: 'running', startedAt: new Date(), rows: 0, bytes: 0, archives: 0,
    });
    return this.runs.save(run);
  }

  /** running → its outcome; throws if the run is no longer running (e.g. a later run marked it abandoned). */
  async finishRun(id: string, outcome: RunOutcome): Promise<void> {
    await moveRun(this.query, id, {
      from: ['running'],
      to: outcome.status,
      set: {
        rows: outcome.rows, bytes: outcome.bytes, archives: outcome.archives, error: outcome.error ?? null,
        summary: outcome.summary === undefined ? null : JSON.stringify(outcome.summary), finished_at: NOW,
      },
    });
  }

  /** The run took its job's lock (see abandonStaleRuns). */
  async markLocked(runId: string): Promise<void> {
    await this.runs.update({ id: runId, status: 'running' }, { lockedAt: new Date() });
  }

  /**
   * Runs of `job` still marked running that once held the job's lock: the
   * caller holds it now, so their process died. Runs that never held it are
   * other replicas' attempts still on their way to a skip; left alone.
   */
  async abandonStaleRuns(job: string, runId: string): Promise<string[]> {
    const stale = await this.runs.find({ where: { job, status: 'running', lockedAt: Not(IsNull()) }, select: { id: true } });
    const abandoned: string[] = [];
    for (const { id } of stale.filter((r) => r.id !== runId)) {
      const why = `abandoned: its process stopped; run ${runId} took the job's lock`;
      await moveRun(this.query, id, { from: ['running'], to: 'failed', set: { error: why, finished_at: NOW } }).then(
        () => abandoned.push(id),
        () => undefined, // it finished meanwhile
      );
    }
    return abandoned;
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

  /** The job's last real run that ended (succeeded or failed): dry runs and runs skipped by the job lock say nothing of its health. */
  lastFinishedRun(job: string): Promise<ArchivalRun | null> {
    return this.runs.findOne({ where: { job, dryRun: false, status: In(['succeeded', 'failed']) }, order: { startedAt: 'DESC' } });
  }

  /**
   * Takes the next part number of a table's window in one atomic statement,
   * before any byte is written: concurrent writers (two jobs on one table)
   * never get the same part. Parts keep counting past failed and abandoned
   * archives, so no number is reused for other rows.
   */
  async allocatePart(schema: string, table: string, startDate: string): Promise<number> {
    const [row] = await this.query(
      `INSERT INTO archive_part_counters AS c (schema_name, table_name, start_date, last_part)
       VALUES ($1, $2, $3, 1)
       ON CONFLICT (schema_name, table_name, start_date) DO UPDATE SET last_part = c.last_part + 1
       RETURNING last_part`,
      [schema, table, startDate],
    );
    return Number((row as { last_part: number }).last_part);
  }

  async recordWritten(archive: NewArchive): Promise<ArchivedPartition> {
    return this.archives.save(this.archives.create({ ...archive, status: 'written', archivedAt: new Date() }));
  }

  /** An archive that never became a stored object (the write failed midway). */
  async recordFailed(archive: NewArchive, error: string): Promise<ArchivedPartition> {
    return this.archives.save(this.archives.create({ ...archive, status: 'failed', error, archivedAt: new Date() }));
  }

  /** written|verified → failed; throws if the archive already moved on (a purged archive is never failed). */
  async markFailed(id: number, error: string): Promise<void> {
    await moveArchive(this.query, id, { from: UNFINISHED, to: 'failed', set: { error } });
  }

  /**
   * written|verified → failed, unless another transaction holds the archive
   * (a purge committing it) or it already moved on: returns whether it moved.
   */
  abandonIfFree(id: number, why: string): Promise<boolean> {
    return moveArchiveIfFree(this.query, id, { from: UNFINISHED, to: 'failed', set: { error: `abandoned: ${why}` } });
  }

  async archiveStatus(id: number): Promise<ArchiveStatus | undefined> {
    return (await this.archives.findOne({ where: { id }, select: { status: true } }))?.status;
  }

  /** Archives of a job left written or verified (not purged) by an interrupted run. */
  unfinished(job: string): Promise<ArchivedPartition[]> {
    return this.archives.find({ where: { job, status: In([...UNFINISHED]) }, order: { id: 'ASC' } });
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

  /** Live parent archives whose key range holds `key`, compared in `keyType` (the live table's, never input). */
  async archivesHoldingKey(table: QualifiedName, keyType: string, key: string): Promise<ArchivedPartition[]> {
    const rows = await this.query(
      `SELECT id FROM archived_partitions
        WHERE table_name = $1 AND coalesce(schema_name, 'public') = $3 AND parent_id IS NULL AND status IN ('purged', 'verified')
          AND min_pk::${keyType} <= $2::${keyType} AND max_pk::${keyType} >= $2::${keyType}
        ORDER BY id`,
      [table.name, key, table.schema],
    );
    return this.findArchives((rows as { id: string }[]).map((r) => Number(r.id)));
  }

  /** Rows and bytes in live archives (purged or restored) per job, table and month of the window: the history the dashboard charts. */
  async archivedByMonth(): Promise<ArchivedMonth[]> {
    const rows = await this.query(
      `SELECT job, coalesce(schema_name, 'public') AS schema, table_name AS "table", to_char(start_date, 'YYYY-MM') AS month,
              count(*)::int AS archives, sum(row_count)::int8 AS rows, sum(compressed_size)::int8 AS bytes
         FROM archived_partitions WHERE status = ANY($1)
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      [LIVE],
    );
    // int8 comes back as text.
    return (rows as ArchivedMonth[]).map((row) => ({ ...row, rows: Number(row.rows), bytes: Number(row.bytes) }));
  }

  listArchives(filter: ArchiveFilter = {}): Promise<ArchivedPartition[]> {
    const where: FindOptionsWhere<ArchivedPartition> = {};
    if (filter.table) where.tableName = filter.table;
    if (filter.job) where.job = filter.job;
    if (filter.status) where.status = filter.status;
    if (filter.from) where.endDate = MoreThanOrEqual(filter.from);
    if (filter.to) where.startDate = LessThanOrEqual(filter.to);
    // Archives recorded before the catalog held the schema (NULL) are of public tables.
    const schema = filter.schema === undefined ? [where]
      : filter.schema === 'public' ? [{ ...where, schemaName: 'public' }, { ...where, schemaName: IsNull() }]
        : [{ ...where, schemaName: filter.schema }];
    return this.archives.find({ where: schema, order: { id: 'ASC' }, take: filter.limit ?? 1000, skip: filter.offset ?? 0 });
  }
}
