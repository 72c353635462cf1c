/**
 * Issue 15, must show 1: DuckDB, a reader nobody here wrote, reads every
 * archive of every built-in job (log, session + deltas, call + events,
 * memory chunks) in JSON Lines and Parquet with each compression, sees the
 * logical types (uuid → UUID, jsonb → JSON, timestamptz → TIMESTAMP WITH
 * TIME ZONE, numeric(12,4) and numeric(30,6) → DECIMAL ...), and every value it reads is
 * PostgreSQL's, the tricky-type rows included. Encrypted archives are left
 * out: DuckDB cannot decrypt them.
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { ArchiveFormatName, CompressionName } from '../src/archival/archival-options';
import { createArchivalApp } from './harness/archival-app';
import { readManifest, restoreArchive, rowDifference } from './harness/archives';
import { daysAgo } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { columnCheck, jsonLinesDuckType, parquetDuckType, sameValue } from './harness/duckdb-values';
import { insertTrickyRows, TRICKY_ROWS } from './harness/tricky-rows';

const MATRIX = (['parquet', 'json'] as ArchiveFormatName[]).flatMap((format) =>
  (['zstd', 'gzip', 'none'] as CompressionName[]).map((compression) => ({ format, compression })),
);
const JOBS = ['log-archival', 'session-archival', 'call-archival', 'memory-cleanup'];
const TABLES = ['flow_execution_logs', 'flow_execution_sessions', 'flow_execution_deltas', 'call_sessions', 'call_events', 'memory_chunks'];
/** numeric(p,s) and smallint, which the tricky rows lack: DECIMAL as INT64 and as FIXED_LEN_BYTE_ARRAY, its NaN, and INT_16. */
const PRICES = ['1234.5678', '-0.0500', null, 'NaN', '99999999.9999'];
const TOTALS = ['123456789012345678901234.123456', '-0.000001', 'NaN', null, '-999999999999999999999999.999999'];
const QUANTITIES = [32767, -32768, null, 0, 1];

async function seed(db: TestDatabase): Promise<void> {
  const { sql } = db;
  await insertTrickyRows(sql, daysAgo(200));
  await sql.query(`ALTER TABLE flow_execution_logs ADD COLUMN price numeric(12,4), ADD COLUMN total numeric(30,6), ADD COLUMN qty smallint`);
  const { rows } = await sql.query(`SELECT id FROM flow_execution_logs ORDER BY id`);
  for (const [i, { id }] of rows.entries()) {
    await sql.query(`UPDATE flow_execution_logs SET price = $2, qty = $3, total = $4 WHERE id = $1`, [id, PRICES[i], QUANTITIES[i], TOTALS[i]]);
  }
  await sql.query(
    `INSERT INTO flow_execution_logs (session_id, node_id, level, message, data, created_at, price, total, qty)
     SELECT md5(i::text)::uuid, 'n' || i, 'info', 'line ' || i, jsonb_build_object('i', i), $1::timestamptz + i * interval '7 hours', i / 7.0, i * 1e20 / 3, i
       FROM generate_series(1, 300) i`,
    [daysAgo(160)],
  );
  await sql.query(
    `INSERT INTO flow_execution_sessions (id, flow_id, status, initial_state, history, created_at, completed_at)
     SELECT md5('s' || i)::uuid, md5('f' || i)::uuid, 'completed', '{"a": [1, 2]}', '[]', $1::timestamptz + i * interval '1 day', $1::timestamptz + i * interval '1 day 1 hour'
       FROM generate_series(1, 40) i`,
    [daysAgo(200)],
  );
  await sql.query(
    `INSERT INTO flow_execution_deltas (session_id, seq, delta, created_at)
     SELECT s.id, d, jsonb_build_object('d', d), s.created_at FROM flow_execution_sessions s, generate_series(1, 3) d`,
  );
  await sql.query(
    `INSERT INTO call_sessions (id, from_number, to_number, status, metadata, started_at, ended_at, created_at)
     SELECT md5('c' || i)::uuid, '+1555' || i, '+1666' || i, 'ended', jsonb_build_object('n', i), $1::timestamptz, $1::timestamptz + interval '5 min', $1::timestamptz + i * interval '1 day'
       FROM generate_series(1, 30) i`,
    [daysAgo(420)],
  );
  await sql.query(
    `INSERT INTO call_events (call_session_id, event_type, payload, created_at)
     SELECT c.id, 'ring', jsonb_build_object('e', e), c.created_at FROM call_sessions c, generate_series(1, 2) e`,
  );
  await sql.query(
    `INSERT INTO memory_chunks (id, owner_id, content, metadata, created_at, expires_at)
     SELECT md5('m' || i)::uuid, md5('o' || i)::uuid, 'chunk ' || i, '{}', $1::timestamptz, $1::timestamptz + interval '1 day'
       FROM generate_series(1, 25) i`,
    [daysAgo(30)],
  );
  for (const table of TABLES) await sql.query(`CREATE TABLE ${table}_original AS SELECT * FROM ${table}`);
}

async function restoreOriginals(db: TestDatabase): Promise<void> {
  await db.sql.query(`TRUNCATE archived_partitions CASCADE; TRUNCATE ${TABLES.join(', ')}`);
  for (const table of TABLES) await db.sql.query(`INSERT INTO ${table} SELECT * FROM ${table}_original`);
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

describe('DuckDB reads every archive of every job with its PostgreSQL types and values', () => {
  let db: TestDatabase;
  let duck: DuckDBConnection;
  let instance: DuckDBInstance;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seed(db);
    instance = await DuckDBInstance.create(':memory:');
    duck = await instance.connect();
    await duck.run(`SET TimeZone = 'UTC'`);
  });
  afterAll(async () => {
    duck?.closeSync();
    instance?.closeSync();
    await db?.drop();
  });

  async function duckRows(sqlText: string): Promise<Record<string, string | null>[]> {
    return (await duck.runAndReadAll(sqlText)).getRowObjectsJson() as Record<string, string | null>[];
  }

  it.each(MATRIX)('$format + $compression', async ({ format, compression }) => {
    await restoreOriginals(db);
    const app = await createArchivalApp(db.url, { module: { format, compression, maxRowsPerFile: 120 } });
    try {
      for (const job of JOBS) expect(await app.archival.run(job)).toMatchObject({ status: 'succeeded' });
      const archives = await app.catalog.listArchives({ limit: 100_000 });
      expect(new Set(archives.map((a) => a.tableName))).toEqual(new Set(TABLES));
      let trickyRowsSeen = 0;
      for (const archive of archives) {
        const manifest = await readManifest(app.archiveDir, archive.manifestPath);
        const path = literal(join(app.archiveDir, archive.archivePath));
        const typeOf = format === 'parquet' ? parquetDuckType : jsonLinesDuckType;
        const relation = format === 'parquet'
          ? `read_parquet(${path}, hive_partitioning = false)`
          : `read_json(${path}, format = 'newline_delimited', hive_partitioning = false, columns = {${manifest.columns.map((c) => `${literal(c.name)}: ${literal(typeOf(c))}`).join(', ')}})`;

        const described = await duckRows(`DESCRIBE SELECT * FROM ${relation}`);
        const types = Object.fromEntries(described.map((r) => [r.column_name, r.column_type]));
        expect(types).toEqual(Object.fromEntries(manifest.columns.map((c) => [c.name, typeOf(c)])));

        const checks = manifest.columns.map((c) => columnCheck(c, format));
        const read = await duckRows(`SELECT CAST(id AS VARCHAR) AS "$id", ${checks.map((c, i) => `${c.duck} AS v${i}`).join(', ')} FROM ${relation}`);
        expect(read).toHaveLength(archive.rowCount);
        const { rows: originals } = await db.sql.query(
          `SELECT id::text AS "$id", ${checks.map((c, i) => `${c.pg} AS v${i}${c.pgText ? `, ${c.pgText} AS t${i}` : ''}`).join(', ')}
             FROM ${archive.tableName}_original WHERE id::text = ANY($1)`,
          [read.map((r) => r.$id)],
        );
        const original = new Map(originals.map((r) => [r.$id as string, r as Record<string, string | null>]));
        expect(original.size).toBe(read.length);
        for (const row of read) {
          const pg = original.get(row.$id!)!;
          const differing = checks
            .map((check, i) => ({ column: check.name, duckdb: row[`v${i}`], postgresql: pg[`v${i}`], ok: sameValue(check, row[`v${i}`], pg[`v${i}`], pg[`t${i}`]) }))
            .filter((d) => !d.ok);
          expect({ table: archive.tableName, id: row.$id, differing }).toEqual({ table: archive.tableName, id: row.$id, differing: [] });
        }
        if (archive.tableName === 'flow_execution_logs') {
          trickyRowsSeen += (await duckRows(`SELECT 1 FROM ${relation} WHERE message IS NULL`)).length;
        }
      }
      expect(trickyRowsSeen).toBe(TRICKY_ROWS.length);
      // And back: restore puts every value back exactly, DECIMAL's NaN (NULL in the file, listed in its metadata) included.
      await db.sql.query(`DROP TABLE IF EXISTS logs_restored; CREATE TABLE logs_restored (LIKE flow_execution_logs)`);
      for (const archive of archives.filter((a) => a.tableName === 'flow_execution_logs')) await restoreArchive(app, db.sql, archive, 'logs_restored');
      await db.sql.query(`DROP TABLE IF EXISTS logs_expected; CREATE TABLE logs_expected AS SELECT o.* FROM flow_execution_logs_original o WHERE o.id IN (SELECT id FROM logs_restored)`);
      const archivedLogs = archives.filter((a) => a.tableName === 'flow_execution_logs').reduce((sum, a) => sum + a.rowCount, 0);
      expect(Number((await db.sql.query(`SELECT count(*) AS n FROM logs_expected`)).rows[0].n)).toBe(archivedLogs);
      expect(await rowDifference(db.sql, 'logs_expected', 'logs_restored')).toBe(0);
    } finally {
      await app.close();
    }
  });
});
