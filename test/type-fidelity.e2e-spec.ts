import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { loadLines, readArchiveLines, readManifest, rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';

/**
 * Columns the module never heard of, added by ALTER TABLE, holding the values
 * that break naive JSON archivers: precision, microseconds, bytes, JSON text,
 * arrays with bounds, intervals, enums, NULLs, unicode and newlines.
 */
const EXTRA_COLUMNS = `
  ADD COLUMN amount numeric(40,12), ADD COLUMN ratio float8, ADD COLUMN small real, ADD COLUMN big bigint,
  ADD COLUMN seen_at timestamptz, ADD COLUMN local_at timestamp, ADD COLUMN day date, ADD COLUMN span interval,
  ADD COLUMN blob bytea, ADD COLUMN raw json, ADD COLUMN doc jsonb, ADD COLUMN ints integer[], ADD COLUMN tags text[],
  ADD COLUMN flag boolean, ADD COLUMN ref uuid, ADD COLUMN feeling mood, ADD COLUMN price_range numrange,
  ADD COLUMN addr inet, ADD COLUMN spot point, ADD COLUMN note varchar(60), ADD COLUMN code char(5)`;

const ROWS = [
  `('12345678901234567890.123456789012', 0.1, 3.4028235e38, 9223372036854775807,
    '2024-02-29 23:59:59.999999+00', '1999-12-31 23:59:59.123456', '2000-02-29', '1 year 2 mons 3 days 04:05:06.789012',
    '\\x00ff10', '{"b":1,  "a":[1,2.50,{"x":null}], "a":2}', '{"big": 123456789012345678901234567890.123456789, "s": "line\\nbreak"}',
    '{1,NULL,3}', '{"a,b","c\\"d",NULL,"NULL",""}', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'sad', '[1.5,2.5)',
    '192.168.0.1/24', '(1.5,-2)', E'multi\\nline\\t“ünïcødé” 😀 \\\\ "q"', 'ab')`,
  `('-0.000000000001', 'NaN', '-Infinity', -9223372036854775808,
    'infinity', '-infinity', 'infinity', '-1 days +02:00:00.000001',
    '\\x', '[]', '{}', '[0:1]={5,6}', '{{x,y},{z,w}}', false, NULL, 'ok', 'empty',
    '::1', '(0,0)', '', '     ')`,
  `(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'null', NULL, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
];

describe('round-trip fidelity of every PostgreSQL type', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { compression: 'gzip' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('restores every column of every archived row exactly, including columns added later', async () => {
    const { sql } = db;
    await sql.query(`CREATE TYPE mood AS ENUM ('ok', 'sad')`);
    await sql.query(`ALTER TABLE flow_execution_logs ${EXTRA_COLUMNS}`);
    const old = new Date(FIXED_NOW.getTime() - 200 * 86_400_000).toISOString();
    for (const values of ROWS) {
      await sql.query(
        `INSERT INTO flow_execution_logs (amount, ratio, small, big, seen_at, local_at, day, span, blob, raw, doc, ints, tags,
           flag, ref, feeling, price_range, addr, spot, note, code, created_at)
         VALUES ${values.trim().slice(0, -1)}, $1::timestamptz + interval '0.000123 seconds')`,
        [old],
      );
    }
    await sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);

    const report = await app.archival.run('log-archival');

    expect(report).toMatchObject({ status: 'succeeded', rows: ROWS.length });
    expect(await count(sql, 'flow_execution_logs')).toBe(0);
    const [archive] = await app.catalog.listArchives({ table: 'flow_execution_logs' });
    const lines = await readArchiveLines(app.archiveDir, archive.archivePath);
    // Readable as plain JSON, with JSON columns embedded as JSON, not as strings.
    const first = JSON.parse(lines[0]);
    expect(first.raw).toEqual({ b: 1, a: 2 });
    expect(first.amount).toBe('12345678901234567890.123456789012');
    expect(first.big).toBe('9223372036854775807');
    expect(first.seen_at).toBe('2024-02-29T23:59:59.999999+00:00');
    await sql.query(`CREATE TABLE restored (LIKE flow_execution_logs)`);
    await loadLines(sql, 'restored', lines, await readManifest(app.archiveDir, archive.manifestPath));
    expect(await count(sql, 'restored')).toBe(ROWS.length);
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
