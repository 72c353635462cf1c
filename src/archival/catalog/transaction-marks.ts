/**
 * Catalog writes that commit inside another step's transaction, on that
 * step's client: the purge flips its archive to purged with its deletes, a
 * restore stamps its archives with the rows it inserts. Either both commit or
 * neither does, so the catalog and the tables never disagree.
 */
import { PoolClient } from 'pg';
import { PurgeMismatchError, StatusMoveError } from '../archival.errors';
import { moveArchive, NOW } from './status-moves';

/**
 * Flips a verified archive to purged inside the purge transaction; anything
 * else (another run abandoned it meanwhile) rolls the purge back. Because the
 * flip commits with the deletes, the catalog row tells afterwards whether a
 * purge whose COMMIT reply was lost did commit.
 */
export async function markPurged(client: PoolClient, archiveId: number, archivePath: string, table: string): Promise<void> {
  const query = async (sql: string, params: unknown[]) => (await client.query(sql, params)).rows;
  await moveArchive(query, archiveId, { from: ['verified'], to: 'purged', set: { purged_at: NOW } }).catch((error: Error) => {
    throw error instanceof StatusMoveError
      ? new PurgeMismatchError(`archive ${archivePath} is no longer "verified"; purge rolled back`, table, archivePath)
      : error;
  });
}

/** The restore watermark: the archive's rows went back into its table in run `runId` (a repeated restore skips it). */
export async function markRestored(client: PoolClient, archiveId: number, runId: string): Promise<void> {
  await client.query(`UPDATE archived_partitions SET restored_at = now(), restore_run_id = $2 WHERE id = $1`, [archiveId, runId]);
}
