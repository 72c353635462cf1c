/**
 * The lake tests' world: a database whose logs (20,000 over 200 days) and
 * sessions (400, three deltas each) were archived as zstd Parquet, 3,000 rows
 * a part, and DuckDB to read the archives where they lie; plus the catalog's
 * live totals to compare DuckDB's counts with.
 */
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './archival-app';
import { daysAgo } from './clock';
import { createTestDatabase, TestDatabase } from './database';
import { DuckDb, openDuckDb } from './duckdb';
import { seedLogs } from './seed';

export interface LakeWorld {
  db: TestDatabase;
  app: ArchivalTestApp;
  duck: DuckDb;
}

export async function openArchivedLake(): Promise<LakeWorld> {
  const db = await createTestDatabase();
  const app = await createArchivalApp(db.url, { module: { format: 'parquet', compression: 'zstd', maxRowsPerFile: 3_000 } });
  const duck = await openDuckDb();
  await seedLogs(db.sql, { rows: 20_000, days: 200, now: FIXED_NOW });
  await db.sql.query(
    `INSERT INTO flow_execution_sessions (id, status, history, created_at)
     SELECT md5('s' || i)::uuid, 'completed', jsonb_build_array(i), $1::timestamptz + i * interval '6 hours' FROM generate_series(1, 400) i`,
    [daysAgo(160)],
  );
  await db.sql.query(`INSERT INTO flow_execution_deltas (session_id, seq, delta) SELECT s.id, d, jsonb_build_object('d', d) FROM flow_execution_sessions s, generate_series(1, 3) d`);
  for (const job of ['log-archival', 'session-archival']) {
    const report = await app.archival.run(job);
    if (report.status !== 'succeeded') throw new Error(`${job} ${report.status}: ${report.error}`);
  }
  return { db, app, duck };
}

export async function closeLake(world: Partial<LakeWorld>): Promise<void> {
  world.duck?.close();
  await world.app?.close();
  await world.db?.drop();
}

/** Rows in the table's live archives (purged or restored), and database_size_stats' archived rows. */
export async function catalogLive(db: TestDatabase, table: string): Promise<{ rows: number; totals: number }> {
  const live = await db.sql.query(`SELECT coalesce(sum(row_count), 0)::int AS n FROM archived_partitions WHERE table_name = $1 AND status IN ('purged', 'restored')`, [table]);
  const stats = await db.sql.query(`SELECT archived_rows::int AS n FROM database_size_stats WHERE table_name = $1`, [table]);
  return { rows: live.rows[0].n, totals: stats.rows[0].n };
}
