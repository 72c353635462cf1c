/**
 * Parts are numbered per schema, table and window by one atomic statement on
 * a counter row (CatalogService.allocatePart), before any byte is written, so
 * two writers never take the same part. The old uniqueness over (table,
 * window, part) ignored the schema: same-named tables in two schemas collided.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class ArchivePartCounters1732000000006 implements MigrationInterface {
  name = 'ArchivePartCounters1732000000006';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE archive_part_counters (
        schema_name text NOT NULL,
        table_name text NOT NULL,
        start_date date NOT NULL,
        last_part integer NOT NULL,
        PRIMARY KEY (schema_name, table_name, start_date)
      )`);
    await db.query(`
      INSERT INTO archive_part_counters (schema_name, table_name, start_date, last_part)
      SELECT coalesce(schema_name, 'public'), table_name, start_date, max(part)
        FROM archived_partitions GROUP BY 1, 2, 3`);
    await db.query(`ALTER TABLE archived_partitions DROP CONSTRAINT archived_partitions_part_unique`);
    await db.query(`
      CREATE UNIQUE INDEX archived_partitions_part_unique
        ON archived_partitions (coalesce(schema_name, 'public'), table_name, start_date, part)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX archived_partitions_part_unique`);
    await db.query(`ALTER TABLE archived_partitions ADD CONSTRAINT archived_partitions_part_unique UNIQUE (table_name, start_date, part)`);
    await db.query(`DROP TABLE archive_part_counters`);
  }
}
