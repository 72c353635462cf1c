/**
 * Migration ManifestChainOrder1732000000009 on a catalog that already holds
 * linked archives: each table's links are numbered in the order the chain
 * had before (`verified_at`, then id), archives never linked stay unnumbered,
 * and the next link takes the number after the table's highest.
 */
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { ARCHIVAL_MIGRATIONS } from '../migrations';
import { linkVerified } from '../src/archival/catalog/manifest-chain';
import { createTestDatabase, TestDatabase } from './harness/database';

const sha = (c: string) => c.repeat(64);

describe('migration ManifestChainOrder1732000000009', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function migrate(migrations: typeof ARCHIVAL_MIGRATIONS): Promise<void> {
    const source = new DataSource({ type: 'postgres', url: db.url, migrations, logging: false });
    await source.initialize();
    try {
      await source.runMigrations({ transaction: 'each' });
    } finally {
      await source.destroy();
    }
  }

  it('numbers the links of each table in their old order, and the next link follows them', async () => {
    const at = ARCHIVAL_MIGRATIONS.findIndex((m) => m.name === 'ManifestChainOrder1732000000009');
    expect(at).toBeGreaterThan(0);
    await migrate(ARCHIVAL_MIGRATIONS.slice(0, at));
    // Ids in another order than the seal times; one archive of orders never linked (written, no manifest SHA-256).
    const rows: [string, number, string | null, string, string | null][] = [
      ['orders', 1, '2026-01-03', 'purged', sha('a')],
      ['orders', 2, '2026-01-01', 'purged', sha('b')],
      ['orders', 3, null, 'written', null],
      ['orders', 4, '2026-01-02', 'verified', sha('c')],
      ['logs', 5, '2026-01-05', 'purged', sha('d')],
    ];
    for (const [table, part, verifiedAt, status, manifest] of rows) {
      await db.sql.query(
        `INSERT INTO archived_partitions (job, table_name, partition_name, part, start_date, end_date, archive_path, manifest_path,
           storage, format, compression, row_count, uncompressed_size, compressed_size, sha256, content_sha256, keys_sha256,
           manifest_sha256, status, verified_at)
         VALUES ('job', $1, $1, $2::int, '2025-06-01', '2025-06-30', $1 || '/' || $2::text, $1 || '/' || $2::text || '.manifest.json',
           'local', 'json', 'gzip', 1, 1, 1, $3, $3, $3, $4, $5, $6)`,
        [table, part, sha('0'), manifest, status, verifiedAt],
      );
    }
    await migrate(ARCHIVAL_MIGRATIONS);
    const { rows: numbered } = await db.sql.query(`SELECT table_name, part, chain_seq::int AS seq FROM archived_partitions ORDER BY part`);
    expect(numbered.map((r) => [r.table_name, r.part, r.seq])).toEqual([
      ['orders', 1, 3], ['orders', 2, 1], ['orders', 3, null], ['orders', 4, 2], ['logs', 5, 1],
    ]);

    // The written archive of orders is linked now: to part 1's manifest (number 3), as number 4.
    const pool = new Pool({ connectionString: db.url });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows: [{ id }] } = await client.query(`SELECT id::int FROM archived_partitions WHERE part = 3`);
      let previous: string | null | undefined;
      await linkVerified(client, id, 'orders', async (p) => {
        previous = p;
        return sha('e');
      });
      await client.query('COMMIT');
      expect(previous).toBe(sha('a'));
    } finally {
      client.release();
      await pool.end();
    }
    const { rows: [linked] } = await db.sql.query(`SELECT chain_seq::int AS seq, status FROM archived_partitions WHERE part = 3`);
    expect(linked).toEqual({ seq: 4, status: 'verified' });
  });
});
