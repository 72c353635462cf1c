/**
 * An archive whose upload failed is recorded too (status failed, with the
 * reason), but it has no checksums: they describe stored bytes that never
 * became an object.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class FailedUploads1732000000003 implements MigrationInterface {
  name = 'FailedUploads1732000000003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE archived_partitions
        ALTER COLUMN sha256 DROP NOT NULL,
        ALTER COLUMN content_sha256 DROP NOT NULL,
        ALTER COLUMN keys_sha256 DROP NOT NULL,
        ADD CONSTRAINT archived_partitions_checksums CHECK (status = 'failed' OR (sha256 IS NOT NULL AND content_sha256 IS NOT NULL AND keys_sha256 IS NOT NULL))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM archived_partitions WHERE sha256 IS NULL`);
    await db.query(`
      ALTER TABLE archived_partitions
        DROP CONSTRAINT archived_partitions_checksums,
        ALTER COLUMN sha256 SET NOT NULL,
        ALTER COLUMN content_sha256 SET NOT NULL,
        ALTER COLUMN keys_sha256 SET NOT NULL`);
  }
}
