/**
 * When a run took its job's lock. Only a run that held the lock, and is still
 * "running" when another run takes it, is known to be dead (abandoned): a run
 * of another replica that has not tried the lock yet is merely waiting.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class RunLockedAt1732000000007 implements MigrationInterface {
  name = 'RunLockedAt1732000000007';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE archival_runs ADD COLUMN locked_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE archival_runs DROP COLUMN locked_at`);
  }
}
