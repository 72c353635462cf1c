import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { restoreArchive, rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { seedLogs } from './harness/seed';
import { daysAgo } from './harness/clock';

const run = promisify(execFile);

interface ForeignParquet {
  schema: { name: string; type: string; converted: string | null }[];
  codecs: string[];
  rowGroups: number;
  rows: Record<string, unknown>[];
}

/** Reads a Parquet file with hyparquet, an independent implementation, in its own process. */
async function readWithHyparquet(path: string): Promise<ForeignParquet> {
  const { stdout } = await run(process.execPath, [join(__dirname, 'harness', 'read-parquet.mjs'), path], { maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(stdout);
}

const TABLES = ['flow_execution_logs', 'flow_execution_sessions', 'flow_execution_deltas', 'call_sessions', 'call_events', 'memory_chunks'];

describe('Parquet archives of every job', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { format: 'parquet', compression: 'zstd', maxRowsPerFile: 15_000 } });
    const { sql } = db;
    await seedLogs(sql, { rows: 30_000, days: 200, now: FIXED_NOW });
    await sql.query(
      `INSERT INTO flow_execution_sessions (id, flow_id, status, initial_state, history, created_at, completed_at)
       SELECT md5('s' || i)::uuid, md5('f' || i % 7)::uuid, CASE WHEN i % 10 = 0 THEN 'running' ELSE 'completed' END,
              jsonb_build_object('n', i), '[1, {"a": null}]', $1::timestamptz + i * interval '3 hours', $1::timestamptz + i * interval '3 hours 1 minute'
         FROM generate_series(1, 1000) i`,
      [daysAgo(150)],
    );
    await sql.query(
      `INSERT INTO flow_execution_deltas (session_id, seq, delta, created_at)
       SELECT s.id, d, jsonb_build_object('d', d, 'big', 12345678901234567890.5), s.created_at FROM flow_execution_sessions s, generate_series(1, 3) d`,
    );
    await sql.query(
      `INSERT INTO call_sessions (id, from_number, to_number, status, metadata, started_at, created_at)
       SELECT md5('c' || i)::uuid, '+1555' || i, '+1666' || i, 'completed', NULL, $1::timestamptz + i * interval '1 day', $1::timestamptz + i * interval '1 day'
         FROM generate_series(1, 200) i`,
      [daysAgo(500)],
    );
    await sql.query(`INSERT INTO call_events (call_session_id, event_type, payload) SELECT c.id, e, '{"e": true}' FROM call_sessions c, unnest(ARRAY['ring', 'hangup']) e`);
    await sql.query(
      `INSERT INTO memory_chunks (id, owner_id, content, metadata, expires_at)
       SELECT md5('m' || i)::uuid, NULL, 'chunk ' || i || E'\\n“x”', '{}', CASE WHEN i % 2 = 0 THEN $1::timestamptz END FROM generate_series(1, 400) i`,
      [daysAgo(3)],
    );
    for (const table of TABLES) await sql.query(`CREATE TABLE ${table}_before AS SELECT * FROM ${table}`);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('restore to exactly the purged rows of every table, and read correctly with a second Parquet reader', async () => {
    const { sql } = db;
    for (const job of ['log-archival', 'session-archival', 'call-archival', 'memory-cleanup']) {
      expect((await app.archival.run(job)).status).toBe('succeeded');
    }
    for (const table of TABLES) await sql.query(`CREATE TABLE ${table}_restored (LIKE ${table})`);
    const archives = await app.catalog.listArchives({ status: 'purged', limit: 1000 });
    expect(new Set(archives.map((a) => a.tableName))).toEqual(new Set(TABLES));
    const foreignKeys = new Map<string, Set<string>>(TABLES.map((t) => [t, new Set()]));
    for (const archive of archives) {
      expect(archive.archivePath).toMatch(/\.parquet$/);
      await restoreArchive(app, sql, archive, `${archive.tableName}_restored`);
      const foreign = await readWithHyparquet(join(app.archiveDir, archive.archivePath));
      expect(foreign.rows).toHaveLength(archive.rowCount);
      expect(foreign.codecs).toEqual(['ZSTD']);
      for (const row of foreign.rows) foreignKeys.get(archive.tableName)!.add(String(row.id));
      if (archive.tableName === 'flow_execution_logs') {
        expect(foreign.schema.find((c) => c.name === 'id')).toMatchObject({ type: 'INT64' });
        expect(foreign.schema.find((c) => c.name === 'created_at')).toMatchObject({ type: 'INT64', converted: 'TIMESTAMP_MICROS' });
        // The other reader sees the same values: spot-check timestamps (to the millisecond a JS Date holds) and JSON.
        const sample = foreign.rows.slice(0, 50);
        const { rows } = await sql.query(
          `SELECT id::text, to_json(date_trunc('milliseconds', created_at))::text AS at, data::text FROM flow_execution_logs_before WHERE id = ANY($1::bigint[])`,
          [sample.map((r) => String(r.id))],
        );
        const expected = new Map(rows.map((r) => [r.id, r]));
        for (const row of sample) {
          const original = expected.get(String(row.id))!;
          expect(new Date(row.created_at as string).getTime()).toBe(new Date(JSON.parse(original.at)).getTime());
          // data is declared JSON (its logical type): the other reader hands it over parsed.
          expect(row.data).toEqual(JSON.parse(original.data));
        }
      }
    }
    for (const table of TABLES) {
      await sql.query(`CREATE TABLE ${table}_gone AS SELECT * FROM ${table}_before b WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.id = b.id)`);
      const gone = await sql.query(`SELECT id::text FROM ${table}_gone`);
      expect(gone.rowCount).toBeGreaterThan(0);
      expect(await rowDifference(sql, `${table}_gone`, `${table}_restored`)).toBe(0);
      expect(foreignKeys.get(table)).toEqual(new Set(gone.rows.map((r) => r.id)));
    }
  });
});
