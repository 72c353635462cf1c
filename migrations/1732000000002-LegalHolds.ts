/** Legal holds: rows that must not be archived or purged until the hold is released. */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class LegalHolds1732000000002 implements MigrationInterface {
  name = 'LegalHolds1732000000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE legal_holds (
        id bigserial PRIMARY KEY,
        table_name text NOT NULL,
        key_column text,
        key_value text,
        predicate text,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        released_at timestamptz,
        CONSTRAINT legal_holds_target CHECK (key_value IS NOT NULL OR predicate IS NOT NULL)
      )`);
    await db.query(`CREATE INDEX legal_holds_active_idx ON legal_holds (table_name) WHERE released_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS legal_holds`);
  }
}
