import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { loadLines, readArchiveLines, readManifest, rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';
import { insertTrickyRows, TRICKY_ROWS } from './harness/tricky-rows';

describe('round-trip fidelity of every PostgreSQL type', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { compression: 'gzip' } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('restores every column of every archived row exactly, including columns added later', async () => {
    const { sql } = db;
    await insertTrickyRows(sql, new Date(FIXED_NOW.getTime() - 200 * 86_400_000));
    await sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);

    const report = await app.archival.run('log-archival');

    expect(report).toMatchObject({ status: 'succeeded', rows: TRICKY_ROWS.length });
    expect(await count(sql, 'flow_execution_logs')).toBe(0);
    const [archive] = await app.catalog.listArchives({ table: 'flow_execution_logs' });
    const lines = await readArchiveLines(app.archiveDir, archive.archivePath);
    // Readable as plain JSON: jsonb embedded as JSON; json (which keeps its text as written) as that exact text.
    const first = JSON.parse(lines[0]);
    expect(first.raw).toBe('{"b":1,  "a":[1,2.50,{"x":null}], "a":2}');
    expect(typeof first.doc).toBe('object');
    expect(first.amount).toBe('12345678901234567890.123456789012');
    expect(first.big).toBe('9223372036854775807');
    expect(first.seen_at).toBe('2024-02-29T23:59:59.999999+00:00');
    await sql.query(`CREATE TABLE restored (LIKE flow_execution_logs)`);
    await loadLines(sql, 'restored', lines, await readManifest(app.archiveDir, archive.manifestPath));
    expect(await count(sql, 'restored')).toBe(TRICKY_ROWS.length);
    expect(await rowDifference(sql, 'original', 'restored')).toBe(0);
    // json keeps its exact text (whitespace, duplicate keys); jsonb its numeric precision.
    const { rows } = await sql.query(`SELECT raw::text, doc::text FROM restored WHERE big > 0`);
    expect(rows[0].raw).toBe('{"b":1,  "a":[1,2.50,{"x":null}], "a":2}');
    expect(rows[0].doc).toContain('123456789012345678901234567890.123456789');
    // A JSON null in a json column stays a JSON null, distinct from SQL NULL.
    const nulls = await sql.query(`SELECT raw IS NULL AS sql_null, doc::text FROM restored WHERE id = 3`);
    expect(nulls.rows[0]).toEqual({ sql_null: true, doc: 'null' });
  });
});
