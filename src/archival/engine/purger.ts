/**
 * Deletes exactly the archived rows, in one transaction: each row by key and
 * by the row version (xmin) that was archived, so a row updated after it was
 * read is kept. If the count deleted differs from the archive's row count the
 * transaction rolls back and nothing is deleted. The catalog row turns
 * "purged" in the same transaction.
 */
import { PoolClient } from 'pg';
import { PurgeMismatchError } from '../archival.errors';
import { quoteIdent, quoteTable } from './sql-identifier';
import { TableShape } from './table-introspector';

const CHUNK = 5_000;

export interface PurgeRequest {
  archiveId: number;
  archivePath: string;
  keys: string[];
  xmins: string[];
}

export async function purgeRows(client: PoolClient, shape: TableShape, request: PurgeRequest): Promise<number> {
  await client.query(`SET LOCAL lock_timeout = '10s'`);
  const sql = `DELETE FROM ${quoteTable(shape.table)} t
      USING unnest($1::${shape.keyType}[], $2::text[]) AS u(k, x)
      WHERE t.${quoteIdent(shape.key)} = u.k AND t.xmin = u.x::xid`;
  let deleted = 0;
  for (let i = 0; i < request.keys.length; i += CHUNK) {
    const result = await client.query(sql, [request.keys.slice(i, i + CHUNK), request.xmins.slice(i, i + CHUNK)]);
    deleted += result.rowCount ?? 0;
  }
  if (deleted !== request.keys.length) {
    throw new PurgeMismatchError(
      `purge of ${request.archivePath} rolled back: ${deleted} of ${request.keys.length} archived rows were still unchanged in ${shape.table.name}; ` +
        `rows changed since they were read stay in the table and are archived by the next run`,
      shape.table.name,
      request.archivePath,
    );
  }
  const marked = await client.query(
    `UPDATE archived_partitions SET status = 'purged', purged_at = now() WHERE id = $1 AND status = 'verified'`,
    [request.archiveId],
  );
  if (marked.rowCount !== 1) {
    throw new PurgeMismatchError(`archive ${request.archivePath} is no longer "verified"; purge rolled back`, shape.table.name, request.archivePath);
  }
  return deleted;
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
  parentKeys: string[],
): Promise<void> {
  let remaining = 0;
  for (let i = 0; i < parentKeys.length; i += CHUNK) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${quoteTable(child.table)} t WHERE t.${quoteIdent(foreignKey)} = ANY($1::${parentKeyType}[])`,
      [parentKeys.slice(i, i + CHUNK)],
    );
    remaining += rows[0].n;
  }
  if (remaining > 0) {
    throw new PurgeMismatchError(
      `purge rolled back: ${remaining} rows of ${child.table.name} were added for archived parents since they were read; the next run archives them together`,
      child.table.name,
      '',
    );
  }
}
