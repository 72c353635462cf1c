/**
 * The manifest hash chain's order as a number per table, taken under the
 * table's chain lock when an archive is linked (catalog/manifest-chain.ts),
 * instead of `verified_at`: a database clock that steps back (an NTP
 * correction, a failover to a server whose clock is behind) left the last
 * link looking newer than the archives sealed after it, and each of them
 * linked to it. Archives already linked are numbered in the order the chain
 * had, `verified_at` then id.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class ManifestChainOrder1732000000009 implements MigrationInterface {
  name = 'ManifestChainOrder1732000000009';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE archived_partitions ADD COLUMN chain_seq bigint`);
    await db.query(`
      UPDATE archived_partitions a SET chain_seq = s.n
        FROM (SELECT id, row_number() OVER (PARTITION BY table_name ORDER BY verified_at NULLS FIRST, id) AS n
                FROM archived_partitions WHERE manifest_sha256 IS NOT NULL) s
       WHERE a.id = s.id`);
    await db.query(`CREATE UNIQUE INDEX archived_partitions_chain_seq ON archived_partitions (table_name, chain_seq)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX archived_partitions_chain_seq`);
    await db.query(`ALTER TABLE archived_partitions DROP COLUMN chain_seq`);
  }
}
