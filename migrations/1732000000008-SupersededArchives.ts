/**
 * No row in two live archives (issue 15): a restore marks its archives
 * `restored` and records their keys; a later purge that archives those keys
 * again strikes them off, and once every key of a restored archive is in a
 * verified newer archive or still in the table, it becomes `superseded` and
 * its file leaves the table's folder. The totals count live archives
 * (purged, restored) only.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const STATUS_CHECK = (statuses: string[]) =>
  `ALTER TABLE archived_partitions ADD CONSTRAINT archived_partitions_status_check CHECK (status IN (${statuses.map((s) => `'${s}'`).join(', ')}))`;

const SIZE_STATS = (live: string) => `
  CREATE OR REPLACE VIEW database_size_stats AS
  SELECT n.nspname AS schema_name,
         c.relname AS table_name,
         pg_total_relation_size(c.oid) AS total_bytes,
         pg_relation_size(c.oid) AS table_bytes,
         pg_indexes_size(c.oid) AS index_bytes,
         greatest(c.reltuples, 0)::bigint AS estimated_rows,
         coalesce(a.archives, 0) AS archives,
         coalesce(a.archived_rows, 0) AS archived_rows,
         coalesce(a.archived_bytes, 0) AS archived_bytes
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN (
      SELECT table_name, count(*) AS archives, sum(row_count) AS archived_rows, sum(compressed_size) AS archived_bytes
        FROM archived_partitions WHERE status IN (${live}) GROUP BY table_name
    ) a ON a.table_name = c.relname
   WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
     AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`;

export class SupersededArchives1732000000008 implements MigrationInterface {
  name = 'SupersededArchives1732000000008';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE archived_partitions DROP CONSTRAINT archived_partitions_status_check`);
    await db.query(STATUS_CHECK(['written', 'verified', 'purged', 'restored', 'superseded', 'failed']));
    await db.query(`
      ALTER TABLE archived_partitions
        ADD COLUMN restored_keys bigint,
        ADD COLUMN superseded_at timestamptz,
        ADD COLUMN superseded_by bigint REFERENCES archived_partitions (id),
        ADD COLUMN file_removed_at timestamptz`);
    // Restored before keys were recorded: marked restored (their rows were put back), never superseded
    // automatically (restored_keys NULL: no proof that their rows are elsewhere).
    await db.query(`UPDATE archived_partitions SET status = 'restored' WHERE status = 'purged' AND restored_at IS NOT NULL`);
    await db.query(`
      CREATE TABLE archival_restored_keys (
        archive_id bigint NOT NULL REFERENCES archived_partitions (id) ON DELETE CASCADE,
        k text NOT NULL,
        PRIMARY KEY (archive_id, k)
      )`);
    await db.query(SIZE_STATS(`'purged', 'restored'`));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(SIZE_STATS(`'purged'`));
    await db.query(`DROP TABLE archival_restored_keys`);
    await db.query(`UPDATE archived_partitions SET status = 'purged' WHERE status IN ('restored', 'superseded')`);
    await db.query(`ALTER TABLE archived_partitions DROP COLUMN restored_keys, DROP COLUMN superseded_at, DROP COLUMN superseded_by, DROP COLUMN file_removed_at`);
    await db.query(`ALTER TABLE archived_partitions DROP CONSTRAINT archived_partitions_status_check`);
    await db.query(STATUS_CHECK(['written', 'verified', 'purged', 'failed']));
  }
}
