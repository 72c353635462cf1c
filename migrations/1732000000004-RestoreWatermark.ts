/** Restored archives are marked, so a repeated restore of a range skips them (the restore watermark). */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class RestoreWatermark1732000000004 implements MigrationInterface {
  name = 'RestoreWatermark1732000000004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE archived_partitions ADD COLUMN restored_at timestamptz, ADD COLUMN restore_run_id uuid`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE archived_partitions DROP COLUMN restored_at, DROP COLUMN restore_run_id`);
  }
}
