/**
 * The number of keys a restore listed, also when it skipped rows on conflict
 * (restored_keys stays NULL then: such an archive is never superseded). A
 * second restore (ignoreWatermark) compares it with the keys still listed:
 * fewer means a purge took some of the rows since, and the restore is
 * refused (catalog/supersede.ts). Archives restored before this migration
 * keep NULL, and the check falls back to the key ranges of the table's
 * archives written since.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class RestoredKeyCount1732000000011 implements MigrationInterface {
  name = 'RestoredKeyCount1732000000011';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE archived_partitions ADD COLUMN restored_key_count bigint`);
    // A full restore's count is its restored_keys; a partial one's keys may have been struck since: not known.
    await db.query(`UPDATE archived_partitions SET restored_key_count = restored_keys WHERE restored_keys IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE archived_partitions DROP COLUMN restored_key_count`);
  }
}
