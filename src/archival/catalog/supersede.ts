/**
 * No row in two live archives (DESIGN.md invariant 7). A restore marks its
 * archives `restored` and records their keys here; each later purge of the
 * table strikes off the keys it just archived again (they now sit in a
 * verified newer archive, committed with the purge). A restored parent
 * archive becomes `superseded`, with its restored children, in that purge's
 * transaction once some of its keys were archived again and every key still
 * on the list (of it and of each child) is in its table: no row is then only
 * in the superseded file, which leaves the table's folder after the commit
 * (superseded-files.ts). A key on the list that is in no table (deleted by
 * the host since the restore) keeps the archive `restored`, file and all.
 */
import { PoolClient } from 'pg';
import { ConflictError } from '../archival.errors';
import { ArchivedPartition } from './archived-partition.entity';
import { KeyLog, stageKeyLogs } from '../engine/key-log';
import { QualifiedName, quoteIdent, quoteTable } from '../sql/sql-identifier';
import { clientQuery, moveArchive, NOW } from './status-moves';
import { ArchiveStatus } from './statuses';

/** A table as the purge knows it: its key column and the key's type (format_type, from the database's own catalog). */
export interface KeyedTable {
  table: QualifiedName;
  key: string;
  keyType: string;
}

export interface SupersededArchive {
  id: number;
  tableName: string;
  archivePath: string;
}

type Query = Pick<PoolClient, 'query'>;

/**
 * The archives of table $1 in schema $2. One recorded before the catalog held
 * schemas (schema_name NULL) counts as public's only while no other schema
 * has a table of that name: otherwise it may be theirs, and a purge of
 * public.<table> must neither strike its keys nor supersede it.
 */
const OF_TABLE = `table_name = $1 AND (schema_name = $2 OR (schema_name IS NULL AND $2 = 'public' AND NOT EXISTS (
  SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relname = $1 AND n.nspname <> 'public' AND c.relkind IN ('r', 'p'))))`;

/** Inside the restore's transaction: the keys (as `key::text`) that a restore of `archiveId` put back. */
export async function recordRestoredKeys(client: Query, archiveId: number, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await client.query(
    `INSERT INTO archival_restored_keys (archive_id, k) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
    [archiveId, keys],
  );
}

/** How many keys of `archiveId` the restore recorded (its row count for a full restore). */
export async function countRestoredKeys(client: Query, archiveId: number): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM archival_restored_keys WHERE archive_id = $1`, [archiveId]);
  return rows[0].n;
}

/**
 * At the start of a purge's transaction, before any delete: the supersede
 * lock of each of `tables` that has a restored archive, in the order given
 * (the parent, then its children: the order a restore takes them in). A
 * second restore of a restored archive holds that lock while it inserts
 * rows; a purge that took it only after its deletes could wait on the
 * restore while the restore waited on the purge's deleted rows (a deadlock).
 * strikeRearchivedKeys takes it again later, at no cost (advisory locks are
 * re-entrant).
 */
export async function lockRestoredTables(client: Query, tables: KeyedTable[]): Promise<void> {
  for (const { table } of tables) await lockIfRestored(client, table);
}

/** Takes `table`'s supersede lock when it has a restored archive; says whether it has one. */
async function lockIfRestored(client: Query, table: QualifiedName): Promise<boolean> {
  const restored = await client.query(`SELECT 1 FROM archived_partitions WHERE status = 'restored' AND ${OF_TABLE} LIMIT 1`, [table.name, table.schema]);
  if (!restored.rowCount) return false;
  await lockSupersede(client, table);
  return true;
}

/** The table's supersede lock, held to the end of the transaction. */
async function lockSupersede(client: Query, table: QualifiedName): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`nest-archival:supersede:${table.schema}.${table.name}`]);
}

/**
 * Inside a purge's transaction, after its deletes: the purged keys are in a
 * verified newer archive now, so restored archives of the table no longer
 * wait for them. Costs one catalog lookup when the table has no restored archive.
 *
 * With a restored archive, the table's purges take turns from here to their
 * commit (a transaction-scoped advisory lock): two purges at once (the parts
 * of a window written two at a time) may take keys of one restored archive,
 * and each would strike its keys, then wait on the other's struck rows while
 * holding the archive's row lock: a deadlock.
 */
export async function strikeRearchivedKeys(client: PoolClient, table: KeyedTable, logs: KeyLog[]): Promise<void> {
  if (!(await lockIfRestored(client, table.table))) return;
  const staged = await stageKeyLogs(client, 'archival_rearchived_keys', table.keyType, logs, { transactionScoped: true });
  await client.query(
    `DELETE FROM archival_restored_keys rk USING archived_partitions a, ${staged} u
      WHERE rk.archive_id = a.id AND a.status = 'restored' AND ${OF_TABLE} AND rk.k = u.k::text`,
    [table.table.name, table.table.schema],
  );
}

/**
 * Inside the purge's transaction of archive `by` (of `parent`'s table, with
 * its `children` tables): moves each restored parent archive whose rows are
 * all accounted for, with its restored children, to `superseded`.
 */
export async function supersedeRestored(client: PoolClient, parent: KeyedTable, children: KeyedTable[], by: number): Promise<SupersededArchive[]> {
  const { rows: candidates } = await client.query<{ id: string; archive_path: string; restored_keys: string }>(
    `SELECT id, archive_path, restored_keys FROM archived_partitions
      WHERE status = 'restored' AND parent_id IS NULL AND restored_keys IS NOT NULL AND ${OF_TABLE}
      ORDER BY id FOR UPDATE`,
    [parent.table.name, parent.table.schema],
  );
  const superseded: SupersededArchive[] = [];
  for (const candidate of candidates) {
    const id = Number(candidate.id);
    // Nothing archived again yet: the archive is still the only archive of its rows.
    if ((await countRestoredKeys(client, id)) >= Number(candidate.restored_keys)) continue;
    const group = await accountedGroup(client, { id, tableName: parent.table.name, archivePath: candidate.archive_path }, parent, children);
    if (!group) continue;
    const query = clientQuery(client);
    for (const archive of group) {
      await moveArchive(query, archive.id, { from: ['restored'], to: 'superseded', set: { superseded_at: NOW, superseded_by: by } });
      await client.query(`DELETE FROM archival_restored_keys WHERE archive_id = $1`, [archive.id]);
    }
    superseded.push(...group);
  }
  return superseded;
}

/** The parent and its restored children, children first, if every key still listed for them is in its table; else undefined. */
async function accountedGroup(client: PoolClient, parent: SupersededArchive, table: KeyedTable, children: KeyedTable[]): Promise<SupersededArchive[] | undefined> {
  if (!(await allListedKeysInTable(client, parent.id, table))) return undefined;
  const { rows } = await client.query<{ id: string; archive_path: string; table_name: string; schema_name: string | null; restored_keys: string | null }>(
    `SELECT id, archive_path, table_name, schema_name, restored_keys FROM archived_partitions WHERE parent_id = $1 AND status = 'restored' ORDER BY id FOR UPDATE`,
    [parent.id],
  );
  const group: SupersededArchive[] = [];
  for (const row of rows) {
    const child = children.find((c) => c.table.name === row.table_name && c.table.schema === (row.schema_name ?? 'public'));
    // A child table this job no longer declares, or restored before keys were recorded: no proof, keep it all.
    if (!child || row.restored_keys === null) return undefined;
    if (!(await allListedKeysInTable(client, Number(row.id), child))) return undefined;
    group.push({ id: Number(row.id), tableName: row.table_name, archivePath: row.archive_path });
  }
  return [...group, parent];
}

async function allListedKeysInTable(client: PoolClient, archiveId: number, { table, key, keyType }: KeyedTable): Promise<boolean> {
  const { rows } = await client.query<{ missing: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM archival_restored_keys rk
        WHERE rk.archive_id = $1 AND NOT EXISTS (SELECT 1 FROM ${quoteTable(table)} t WHERE t.${quoteIdent(key)} = rk.k::${keyType})
     ) AS missing`,
    [archiveId],
  );
  return !rows[0].missing;
}

/**
 * A restored archive restored again (ignoreWatermark) whose rows a newer
 * archive took since would put those rows back beside that archive: two live
 * archives of one row. Refused, naming what to restore instead.
 *
 * The last restore recorded how many keys it listed (restored_key_count,
 * also when it skipped rows on conflict): fewer keys listed now means a purge
 * struck some. An archive restored before keys were counted has no count;
 * then any archive of the table written since the restore (allowing
 * RESTORE_CLOCK_MARGIN for the host's clock against the database's) whose key
 * range meets this one's may hold its rows, and the restore is refused too.
 * `keyType`: the live table's key type (format_type), which the ranges are
 * compared in. Call it inside the restore's transaction, before its inserts:
 * it holds the table's supersede lock to the commit, so no purge that strikes
 * the archive's keys commits unseen in between (lockRestoredTables).
 */
export async function assertNotRearchived(
  client: Query,
  archive: Pick<ArchivedPartition, 'id' | 'status' | 'restoredKeys' | 'restoredKeyCount' | 'restoredAt' | 'archivePath' | 'tableName' | 'minPk' | 'maxPk'>,
  table: QualifiedName,
  keyType: string,
): Promise<void> {
  if (archive.status !== 'restored') return;
  await lockSupersede(client, table);
  const counted = archive.restoredKeyCount ?? archive.restoredKeys;
  if (counted !== null) {
    if ((await countRestoredKeys(client, archive.id)) >= counted) return;
    throw new ConflictError(
      `archive ${archive.id} (${archive.archivePath}) was archived again since its restore: a newer archive of ${archive.tableName} holds some of its rows; restore that archive's month instead`,
    );
  }
  const { rows } = await client.query<{ id: string; archive_path: string }>(
    `SELECT id, archive_path FROM archived_partitions
      WHERE ${OF_TABLE} AND id <> $3 AND status = ANY($4)
        AND archived_at >= $5::timestamptz - interval '${RESTORE_CLOCK_MARGIN}'
        AND ($6::text IS NULL OR $7::text IS NULL OR min_pk IS NULL OR max_pk IS NULL
             OR (min_pk::${keyType} <= $7::${keyType} AND max_pk::${keyType} >= $6::${keyType}))
      ORDER BY id LIMIT 1`,
    [table.name, table.schema, archive.id, HOLDING, archive.restoredAt ?? new Date(0), archive.minPk, archive.maxPk],
  );
  if (rows.length === 0) return;
  throw new ConflictError(
    `archive ${archive.id} (${archive.archivePath}) was restored before its keys were counted, and archive ${rows[0].id} (${rows[0].archive_path}) of ${archive.tableName}, written since, may hold some of its rows; restore the month of archive ${rows[0].id} instead`,
  );
}

/** Archives that hold rows, or may (written and verified: their purge may still commit). */
const HOLDING: ArchiveStatus[] = ['written', 'verified', 'purged', 'restored'];

/** How far before a restore an archive counts as written since it: archived_at is the host's clock, restored_at the database's. */
const RESTORE_CLOCK_MARGIN = '1 hour';
