/**
 * The schema of each archived table, in the catalog: restore takes its target
 * from the catalog alone, never from the manifest beside the archive.
 * Archives recorded before keep NULL; restore then uses the schema of their
 * manifest, once that manifest's SHA-256 matched the catalog's.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class ArchiveSchemaName1732000000005 implements MigrationInterface {
  name = 'ArchiveSchemaName1732000000005';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE archived_partitions ADD COLUMN schema_name text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE archived_partitions DROP COLUMN schema_name`);
  }
}
