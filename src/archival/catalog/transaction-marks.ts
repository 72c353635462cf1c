/**
 * Catalog writes that commit inside another step's transaction, on that
 * step's client: the purge flips its archive to purged with its deletes, a
 * restore stamps its archives with the rows it inserts. Either both commit or
 * neither does, so the catalog and the tables never disagree.
 */
import { PoolClient } from 'pg';
import { ConflictError, PurgeMismatchError, StatusMoveError } from '../archival.errors';
import { clientQuery, moveArchive, NOW } from './status-moves';
import { ArchiveStatus } from './statuses';
import { countRestoredKeys } from './supersede';

/**
 * Flips a verified archive to purged inside the purge transaction; anything
 * else (another run abandoned it meanwhile) rolls the purge back. Because the
 * flip commits with the deletes, the catalog row tells afterwards whether a
 * purge whose COMMIT reply was lost did commit.
 */
export async function markPurged(client: PoolClient, archiveId: number, archivePath: string, table: string): Promise<void> {
  const query = clientQuery(client);
  await moveArchive(query, archiveId, { from: ['verified'], to: 'purged', set: { purged_at: NOW } }).catch((error: Error) => {
    throw error instanceof StatusMoveError
      ? new PurgeMismatchError(`archive ${archivePath} is no longer "verified"; purge rolled back`, table, archivePath)
      : error;
  });
}

/**
 * The restore's catalog move, inside its transaction: purged → restored
 * (guarded), with the watermark (the run that put the rows back, so a
 * repeated restore skips it) and the number of keys it recorded; a restored
 * archive restored again (ignoreWatermark) only gets a new watermark and count.
 *
 * A restore that skipped rows on conflict (the table held other rows under
 * those keys) put back only part of the archive: the skipped versions exist
 * in this archive alone, so its restored_keys is NULL, and such an archive is
 * never superseded (catalog/supersede.ts): its file stays. Its key count is
 * kept all the same (restored_key_count), so a second restore can tell
 * whether a purge took some of its rows since. `schema`: the schema the rows
 * went back into.
 */
export async function markRestored(client: PoolClient, { archive, runId, schema }: RestoredMark): Promise<void> {
  const recorded = await countRestoredKeys(client, archive.id);
  const set = { restored_at: NOW, restore_run_id: runId, restored_keys: recorded < archive.rowCount ? null : recorded, restored_key_count: recorded };
  const query = clientQuery(client);
  if (archive.status === 'purged') await moveArchive(query, archive.id, { from: ['purged'], to: 'restored', set });
  else {
    const { rowCount } = await client.query(
      `UPDATE archived_partitions SET restored_at = now(), restore_run_id = $2, restored_keys = $3, restored_key_count = $4 WHERE id = $1 AND status = 'restored'`,
      [archive.id, runId, set.restored_keys, recorded],
    );
    if (rowCount !== 1) throw new ConflictError(`archive ${archive.id} is no longer restored; nothing was restored`);
  }
  // An archive recorded before the catalog held schemas gets the one its rows went back into: the purges that
  // strike its keys and supersede it match by schema, and would take it for public.<table>'s.
  await client.query(`UPDATE archived_partitions SET schema_name = $2 WHERE id = $1 AND schema_name IS NULL`, [archive.id, schema]);
}

export interface RestoredMark {
  archive: { id: number; status: ArchiveStatus; rowCount: number };
  /** The restore's run: the watermark. */
  runId: string;
  schema: string;
}
