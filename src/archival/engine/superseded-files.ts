/**
 * A superseded archive's file leaves the table's folder once the purge that
 * superseded it committed: the catalog decides first, storage follows. The
 * manifest stays where it is (the hash chain links through it, and it says
 * what the file held). Each run of a job first removes any file a crash left
 * behind, of its own archives and of those it superseded, so a glob over the
 * table's folder counts each row once.
 */
import { Logger } from '@nestjs/common';
import { PoolClient } from 'pg';
import { StorageProvider } from '../storage/storage-provider.interface';

const logger = new Logger('SupersededFiles');

type Query = Pick<PoolClient, 'query'>;

/**
 * Removes the files of superseded archives not yet removed: the ones given,
 * or every one `job` wrote or superseded (another job on the same table may
 * have written it, and may never run again). Returns how many.
 */
export async function removeSupersededFiles(db: Query, storage: StorageProvider, scope: { job: string } | { ids: number[] }): Promise<number> {
  const { rows } = 'job' in scope
    ? await db.query<{ id: string; archive_path: string }>(
      `SELECT id, archive_path FROM archived_partitions
        WHERE status = 'superseded' AND file_removed_at IS NULL
          AND (job = $1 OR superseded_by IN (SELECT id FROM archived_partitions WHERE job = $1))
        ORDER BY id`, [scope.job])
    : await db.query<{ id: string; archive_path: string }>(
      `SELECT id, archive_path FROM archived_partitions WHERE status = 'superseded' AND file_removed_at IS NULL AND id = ANY($1::int8[]) ORDER BY id`, [scope.ids]);
  for (const row of rows) {
    await storage.remove(row.archive_path);
    await db.query(`UPDATE archived_partitions SET file_removed_at = now() WHERE id = $1 AND status = 'superseded' AND file_removed_at IS NULL`, [row.id]);
    logger.log({ event: 'archive.superseded_file_removed', archiveId: Number(row.id), archive: row.archive_path });
  }
  return rows.length;
}
