/**
 * The archival catalog: one row per archive (archived_partitions), one per job
 * run (archival_runs), and the database_size_stats view.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class ArchivalCatalog1732000000000 implements MigrationInterface {
  name = 'ArchivalCatalog1732000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE archival_runs (
        id uuid PRIMARY KEY,
        job text NOT NULL,
        trigger text NOT NULL,
        dry_run boolean NOT NULL DEFAULT false,
        status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        rows bigint NOT NULL DEFAULT 0,
        bytes bigint NOT NULL DEFAULT 0,
        archives integer NOT NULL DEFAULT 0,
        error text,
        summary jsonb
      )`);
    await db.query(`CREATE INDEX archival_runs_job_started_idx ON archival_runs (job, started_at DESC)`);
    await db.query(`
      CREATE TABLE archived_partitions (
        id bigserial PRIMARY KEY,
        job text NOT NULL,
        table_name text NOT NULL,
        partition_name text NOT NULL,
        part integer NOT NULL,
        start_date date NOT NULL,
        end_date date NOT NULL,
        archive_path text NOT NULL,
        manifest_path text NOT NULL,
        storage text NOT NULL,
        format text NOT NULL,
        compression text NOT NULL,
        encrypted boolean NOT NULL DEFAULT false,
        row_count bigint NOT NULL,
        uncompressed_size bigint NOT NULL,
        compressed_size bigint NOT NULL,
        sha256 char(64) NOT NULL,
        content_sha256 char(64) NOT NULL,
        keys_sha256 char(64) NOT NULL,
        manifest_sha256 char(64),
        min_pk text,
        max_pk text,
        status text NOT NULL CHECK (status IN ('written', 'verified', 'purged', 'failed')),
        error text,
        archived_at timestamptz NOT NULL DEFAULT now(),
        verified_at timestamptz,
        purged_at timestamptz,
        run_id uuid REFERENCES archival_runs (id),
        parent_id bigint REFERENCES archived_partitions (id),
        CONSTRAINT archived_partitions_part_unique UNIQUE (table_name, start_date, part)
      )`);
    await db.query(`CREATE INDEX archived_partitions_job_status_idx ON archived_partitions (job, status)`);
    await db.query(`CREATE INDEX archived_partitions_table_window_idx ON archived_partitions (table_name, start_date, end_date)`);
    await db.query(`
      CREATE VIEW database_size_stats AS
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
            FROM archived_partitions WHERE status = 'purged' GROUP BY table_name
        ) a ON a.table_name = c.relname
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
         AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP VIEW IF EXISTS database_size_stats`);
    await db.query(`DROP TABLE IF EXISTS archived_partitions`);
    await db.query(`DROP TABLE IF EXISTS archival_runs`);
  }
}
