/**
 * database_size_stats matched archives to tables by name alone, so each of
 * two same-named tables in two schemas (tenant_a.events, tenant_b.events)
 * showed the archived rows and bytes of both. Archives are matched by schema
 * and name now; an archive recorded before the catalog held schemas
 * (schema_name NULL) counts as public's, as the purges take it.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const SIZE_STATS = (archiveSchema: string, join: string) => `
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
      SELECT ${archiveSchema} AS archive_schema, table_name, count(*) AS archives, sum(row_count) AS archived_rows, sum(compressed_size) AS archived_bytes
        FROM archived_partitions WHERE status IN ('purged', 'restored') GROUP BY 1, 2
    ) a ON ${join}
   WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
     AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`;

export class SizeStatsBySchema1732000000010 implements MigrationInterface {
  name = 'SizeStatsBySchema1732000000010';

  async up(db: QueryRunner): Promise<void> {
    // The same columns as before: CREATE OR REPLACE keeps the views a host built on it.
    await db.query(SIZE_STATS(`coalesce(schema_name, 'public')`, `a.table_name = c.relname AND a.archive_schema = n.nspname`));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(SIZE_STATS(`NULL::text`, `a.table_name = c.relname`));
  }
}
