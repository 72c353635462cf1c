/**
 * The restore's catalog move, inside its transaction: purged → restored
 * (guarded), with the watermark and the number of keys it recorded; a
 * restored archive restored again (ignoreWatermark) only gets a new watermark.
 */
import { PoolClient } from 'pg';
import { countRestoredKeys } from './supersede';
import { moveArchive, NOW } from './status-moves';
import { ArchiveStatus } from './statuses';

export async function markRestored(client: PoolClient, archive: { id: number; status: ArchiveStatus }, runId: string): Promise<void> {
  const set = { restored_at: NOW, restore_run_id: runId, restored_keys: await countRestoredKeys(client, archive.id) };
  const query = async (sql: string, params: unknown[]) => (await client.query(sql, params)).rows;
  if (archive.status === 'purged') await moveArchive(query, archive.id, { from: ['purged'], to: 'restored', set });
  else {
    const { rowCount } = await client.query(
      `UPDATE archived_partitions SET restored_at = now(), restore_run_id = $2, restored_keys = $3 WHERE id = $1 AND status = 'restored'`,
      [archive.id, runId, set.restored_keys],
    );
    if (rowCount !== 1) throw new Error(`archive ${archive.id} is no longer restored; nothing was restored`);
  }
}
