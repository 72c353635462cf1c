import { RestoreService } from '../src/archival/restore/restore.service';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { rowDifference } from './harness/archives';
import { daysAgo } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';

/** Column names that need quoting (space, quote, dash, dot, unicode, upper case) archive and restore like any other. */
describe.each(['json', 'parquet'] as const)('quoted identifiers (%s)', (format) => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.query(`
      CREATE TABLE "Odd Names" (
        "Key Id" bigserial PRIMARY KEY,
        "my col" text, "we""ird" integer, "dash-y" jsonb, "dot.ted" numeric(10, 2), "ünïcødé" text[], "UPPER" boolean,
        "when it happened" timestamptz NOT NULL)`);
    await db.sql.query(
      `INSERT INTO "Odd Names" ("my col", "we""ird", "dash-y", "dot.ted", "ünïcødé", "UPPER", "when it happened")
       SELECT 'row ' || i, i, jsonb_build_object('i', i), i / 3.0, ARRAY['a', 'b ' || i], i % 2 = 0, $1::timestamptz + i * interval '1 hour'
         FROM generate_series(1, 500) i`,
      [daysAgo(200).toISOString()],
    );
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM "Odd Names"`);
    app = await createArchivalApp(db.url, { module: {
      format, tables: [{ job: 'odd-archival', table: '"Odd Names"', key: 'Key Id', time: 'when it happened', retentionDays: 30 }],
    } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('archive, purge and restore exactly', async () => {
    expect(await app.archival.run('odd-archival')).toMatchObject({ status: 'succeeded', rows: 500 });
    expect(await count(db.sql, '"Odd Names"')).toBe(0);
    await app.context.get(RestoreService).restore({ table: '"Odd Names"' }, 'cli');
    expect(await rowDifference(db.sql, 'original', '"Odd Names"')).toBe(0);
  });
});
