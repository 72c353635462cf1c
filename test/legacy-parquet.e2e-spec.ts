/**
 * Parquet archives written before issue 15, by parquetjs-lite (legacy
 * converted types only, uuid and numeric as text, -infinity as the int64
 * minimum), stay readable, verifiable and restorable now that new ones carry
 * logical types (UUID, DECIMAL, JSON, TIMESTAMP adjusted to UTC or not). The fixture (test/fixtures/parquetjs-lite)
 * is what that version wrote for the tricky-type rows and 60 ordinary ones:
 * its archives and manifests (zstd and gzip, as stored), its catalog rows,
 * and the rows as PostgreSQL printed them before they were archived.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { restoreArchive } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { EXTRA_COLUMNS } from './harness/tricky-rows';
import { VerifyService } from '../src/archival/readback/verify.service';

const FIXTURE = join(__dirname, 'fixtures', 'parquetjs-lite');

/** Inserts catalog rows as the old version wrote them (only the columns it had; newer ones take their defaults). */
async function insertRows(sql: Client, table: string, rows: Record<string, unknown>[]): Promise<void> {
  const columns = Object.keys(rows[0]).map((c) => `"${c}"`).join(', ');
  await sql.query(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${table}, $1)`, [JSON.stringify(rows)]);
  await sql.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`).catch(() => undefined);
}

describe('Parquet archives written by parquetjs-lite', () => {
  let db: TestDatabase;
  let storage: string;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.query(`CREATE TYPE mood AS ENUM ('ok', 'sad')`);
    await db.sql.query(`ALTER TABLE flow_execution_logs ${EXTRA_COLUMNS}`);
    storage = await mkdtemp(join(tmpdir(), 'archival-legacy-parquet-'));
    await cp(join(FIXTURE, 'archives'), storage, { recursive: true });
    const catalog = JSON.parse(await readFile(join(FIXTURE, 'catalog.json'), 'utf8'));
    await insertRows(db.sql, 'archival_runs', catalog.runs);
    await insertRows(db.sql, 'archived_partitions', catalog.archives);
    app = await createArchivalApp(db.url, { module: { storage, format: 'parquet', compression: 'zstd' } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    if (storage) await rm(storage, { recursive: true, force: true });
  });

  it('verify reads every one back: checksums, manifests, chain and content', async () => {
    const report = await app.context.get(VerifyService).verify({ table: 'flow_execution_logs' });
    expect(report).toMatchObject({ checked: 6, ok: 6, problems: [], missing: [] });
  });

  it('restores every row exactly as PostgreSQL had it, from each compression', async () => {
    const expected = JSON.parse(await readFile(join(FIXTURE, 'rows.json'), 'utf8')) as string[];
    for (const compression of ['zstd', 'gzip']) {
      const target = `restored_${compression}`;
      await db.sql.query(`CREATE TABLE ${target} (LIKE flow_execution_logs)`);
      const archives = (await app.catalog.listArchives({ table: 'flow_execution_logs' })).filter((a) => a.compression === compression);
      expect(archives.map((a) => a.format)).toEqual(['parquet', 'parquet', 'parquet']);
      for (const archive of archives) await restoreArchive(app, db.sql, archive, target);
      const { rows } = await db.sql.query(`SELECT t::text AS row FROM ${target} t ORDER BY id`);
      expect(rows.map((r) => r.row)).toEqual(expected);
    }
  });
});
