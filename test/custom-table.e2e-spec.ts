import { ConfigurationError } from '../src/archival/archival.errors';
import { resolveArchivalOptions } from '../src/archival/config/resolve-options';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';
import { NOW_SQL } from './harness/clock';

describe('a host-declared table with a child table, through options only', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.query(`
      CREATE SCHEMA audit;
      CREATE TABLE audit.events (id bigserial PRIMARY KEY, tenant text NOT NULL, payload jsonb, occurred_at timestamptz NOT NULL);
      CREATE TABLE audit.attachments (id bigserial PRIMARY KEY, event_id bigint NOT NULL REFERENCES audit.events ON DELETE CASCADE, blob bytea);`);
    await db.sql.query(
      `INSERT INTO audit.events (tenant, payload, occurred_at)
       SELECT CASE WHEN i % 5 = 0 THEN 'keep' ELSE 'acme' END, jsonb_build_object('i', i), $1::timestamptz - i * interval '1 day'
         FROM generate_series(1, 100) i`,
      [FIXED_NOW.toISOString()],
    );
    await db.sql.query(`INSERT INTO audit.attachments (event_id, blob) SELECT id, '\\x01'::bytea FROM audit.events, generate_series(1, 3)`);
    app = await createArchivalApp(db.url, { module: {
      tables: [{
        job: 'audit-archival', table: 'audit.events', key: 'id', time: 'occurred_at', retentionDays: 30,
        children: [{ table: 'audit.attachments', foreignKey: 'event_id' }], filter: `t."tenant" <> 'keep'`,
      }],
    } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('is a job like the built-in ones, and archives and purges exactly its eligible rows with their children', async () => {
    expect(app.archival.jobs().map((j) => j.name)).toContain('audit-archival');
    const report = await app.archival.run('audit-archival');
    // Events 31..100 days old, minus every 5th (tenant "keep"): 70 - 14 = 56.
    expect(report).toMatchObject({ status: 'succeeded', rows: 56 + 56 * 3 });
    expect(await count(db.sql, 'audit.events')).toBe(44);
    expect(await count(db.sql, 'audit.attachments')).toBe(44 * 3);
    expect(await count(db.sql, 'audit.events', `occurred_at < ${NOW_SQL} - interval '31 days' AND tenant <> 'keep'`)).toBe(0);
    const archives = await app.catalog.listArchives({ job: 'audit-archival' });
    expect(new Set(archives.map((a) => a.tableName))).toEqual(new Set(['events', 'attachments']));
    expect(archives.filter((a) => a.tableName === 'attachments').reduce((n, a) => n + a.rowCount, 0)).toBe(56 * 3);
  });

  it('rejects declarations whose identifiers are not SQL identifiers', () => {
    expect(() =>
      resolveArchivalOptions({ tables: [{ job: 'evil', table: 'events; DROP TABLE x', key: 'id', time: 'at' }] }),
    ).toThrow(ConfigurationError);
    expect(() =>
      resolveArchivalOptions({ tables: [{ job: 'Bad Job', table: 'events', key: 'id\0', time: 'at', children: [{ table: 'c', foreignKey: 'x'.repeat(64) }] }] }),
    ).toThrow(/job: expected lower case[\s\S]*"id\\u0000"[\s\S]*"x{64}"/);
  });
});
