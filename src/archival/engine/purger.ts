/**
 * Deletes exactly the archived rows, in one transaction: each row by key and
 * by the row version (xmin) that was archived, so a row updated after it was
 * read is kept. If the count deleted differs from the archive's row count the
 * transaction rolls back and nothing is deleted. The catalog row turns
 * "purged" in the same transaction. A paced run deletes in batches of
 * ARCHIVAL_BATCH_SIZE keys, resting between them, still in that one transaction.
 */
import { PoolClient } from 'pg';
import { PurgeMismatchError } from '../archival.errors';
import { markPurged } from '../catalog/transaction-marks';
import { KeyLog, stageKeyLogs } from './key-log';
import { canPurgeByRange, RangeCheck, tryPurgeByRange } from './range-purge';
import { Pacer } from './pacer';
import { PARENT_KEYS_TABLE, stageParentKeys } from './parent-keys';
import { quoteIdent, quoteTable } from '../sql/sql-identifier';
import { TableShape } from './table-introspector';

/** How a batch was deleted: by range and predicate (and whether it matched the archive), or by the staged keys. */
export type PurgeMethod = 'range' | 'range-mismatch' | 'staged';

export interface PurgeRequest {
  archiveId: number;
  archivePath: string;
  keys: KeyLog;
  /** The eligibility predicate the part was read by (over alias `t`); none for a child table's part. */
  predicate?: string;
}

/** A paced purge deletes in batches and rests between them, in the same transaction. */
export interface PurgePacing {
  pacer: Pacer;
  batchSize: number;
  /** Called after each batch of deletes with its table, row count, duration and method (and a ranged DELETE's check). */
  onBatch?: (table: string, rows: number, ms: number, method: PurgeMethod, check?: RangeCheck) => void;
}

/**
 * First by range (range-purge.ts): one DELETE over the part's key range and
 * predicate, checked against the key log by count and hash (the deleted
 * keys streamed back with COPY for integer and uuid keys, hashed by the
 * server otherwise). If rows changed since they were read (the hash
 * differs), that DELETE is rolled back to a savepoint and the staged purge
 * decides: it streams the archived (key, xmin) pairs into a
 * transaction-scoped temp table and deletes by join.
 */
export async function purgeRows(client: PoolClient, shape: TableShape, request: PurgeRequest, pacing?: PurgePacing): Promise<number> {
  await setPurgeLimits(client);
  const batches = pacing?.pacer.paced && request.keys.rows > pacing.batchSize;
  if (!batches && canPurgeByRange(request.keys, request.predicate)) {
    const started = performance.now();
    const outcome = await tryPurgeByRange(client, shape, request.keys, request.predicate);
    pacing?.onBatch?.(shape.table.name, outcome.deleted, Math.round(performance.now() - started), outcome.matches ? 'range' : 'range-mismatch', outcome.check);
    if (outcome.matches) {
      await markPurged(client, request.archiveId, request.archivePath, shape.table.name);
      return outcome.deleted;
    }
  }
  const keys = await stageKeyLogs(client, 'archival_purge_keys', shape.keyType, [request.keys], { transactionScoped: true, numbered: batches });
  const deleteSql = `DELETE FROM ${quoteTable(shape.table)} t USING ${keys} u WHERE t.${quoteIdent(shape.key)} = u.k AND t.xmin = u.x`;
  let deleted = 0;
  if (!batches) {
    const started = performance.now();
    deleted = (await client.query(deleteSql)).rowCount ?? 0;
    pacing?.onBatch?.(shape.table.name, deleted, Math.round(performance.now() - started), 'staged');
  } else {
    for (let from = 0; from < request.keys.rows; from += pacing.batchSize) {
      const started = performance.now();
      const batch = await client.query(`${deleteSql} AND u.n > $1 AND u.n <= $2`, [from, from + pacing.batchSize]);
      deleted += batch.rowCount ?? 0;
      pacing.onBatch?.(shape.table.name, batch.rowCount ?? 0, Math.round(performance.now() - started), 'staged');
      await pacing.pacer.pause(started);
    }
  }
  if (deleted !== request.keys.rows) {
    throw new PurgeMismatchError(
      `purge of ${request.archivePath} rolled back: ${deleted} of ${request.keys.rows} archived rows were still unchanged in ${shape.table.name}; ` +
        `rows changed since they were read stay in the table and are archived by the next run`,
      shape.table.name,
      request.archivePath,
    );
  }
  await markPurged(client, request.archiveId, request.archivePath, shape.table.name);
  return deleted;
}

/**
 * For the rest of the purge transaction: wait at most 10 s for a lock (then
 * roll back, nothing lost), and give the key join enough memory to hash a
 * whole part in one pass (500,000 keys take ~30 MB; the default 4 MB spills
 * to temp files and made the delete ~30% slower in the bench).
 */
export async function setPurgeLimits(client: PoolClient): Promise<void> {
  await client.query(`SET LOCAL lock_timeout = '10s'; SET LOCAL work_mem = '64MB'`);
}

/**
 * After the archived children are deleted, no child may still reference a
 * parent about to be purged (one inserted since the child archive was read):
 * with ON DELETE CASCADE it would vanish unarchived, so the purge rolls back.
 */
export async function assertNoChildren(
  client: PoolClient,
  child: TableShape,
  foreignKey: string,
  parentKeyType: string,
  parentKeys: KeyLog,
): Promise<void> {
  await stageParentKeys(client, parentKeyType, parentKeys, true);
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${quoteTable(child.table)} t JOIN ${PARENT_KEYS_TABLE} p ON t.${quoteIdent(foreignKey)} = p.k`,
  );
  const remaining = rows[0].n;
  if (remaining > 0) {
    throw new PurgeMismatchError(
      `purge rolled back: ${remaining} rows of ${child.table.name} were added for archived parents since they were read; the next run archives them together`,
      child.table.name,
    );
  }
}
