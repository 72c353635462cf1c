import { RestoreService } from '../src/archival/restore/restore.service';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { rowDifference } from './harness/archives';
import { daysAgo } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';

/**
 * Values a table can hold that a run used to choke on or skip: json with raw
 * newlines and edge whitespace, times in the first centuries AD, and times no
 * monthly window holds (-infinity, BC), which are refused at plan time; and
 * timestamps up to PostgreSQL's maximum, past what a Parquet timestamp holds
 * (microseconds since 1970 in 64 bits: up to 294247-01-10 04:00:54.775807
 * UTC), which Parquet jobs refuse at plan time and JSON jobs archive.
 */
describe.each(['json', 'parquet'] as const)('edge values (%s)', (format) => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const old = () => daysAgo(200).toISOString();

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.query(`CREATE TABLE edgy (id bigserial PRIMARY KEY, doc json, note text, at timestamptz NOT NULL)`);
    await db.sql.query(`CREATE TABLE stuck (id bigserial PRIMARY KEY, at timestamptz NOT NULL)`);
    await db.sql.query(
      `INSERT INTO edgy (doc, note, at) VALUES
         (E'{\\n  "a": 1,\\r\\n  "b": "x"\\n}', 'pretty-printed, CR LF', $1),
         (E'  {"padded": true, "padded": false}  \\n', 'edge whitespace, duplicate key', $1),
         ('null', 'the JSON literal null', $1),
         (NULL, 'SQL NULL', $1),
         ('[1, 2]', 'year 1', '0001-01-01 00:00:00+00'),
         ('{}', 'year 99', '0099-06-15 12:34:56.789012+00')`,
      [old()],
    );
    await db.sql.query(`INSERT INTO stuck (at) VALUES ('-infinity'), ('0044-03-15 00:00:00+00 BC'), ($1)`, [old()]);
    await db.sql.query(`CREATE TABLE far (id bigserial PRIMARY KEY, at timestamptz NOT NULL, until timestamptz, naive timestamp)`);
    await db.sql.query(
      `INSERT INTO far (at, until, naive) VALUES
         ($1, '294247-01-10 04:00:54.775806+00', '294247-01-10 04:00:54.775806'),
         ($1, 'infinity', '-infinity'),
         ($1, '-infinity', 'infinity'),
         ($1, '4713-01-01 00:00:00+00 BC', '4713-01-01 00:00:00 BC'),
         ($1, '294276-12-31 23:59:59.999999+00', NULL),
         ($1, NULL, '294247-01-10 04:00:54.775807')`,
      [old()],
    );
    await db.sql.query(`CREATE TABLE far_original AS SELECT * FROM far`);
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM edgy`);
    app = await createArchivalApp(db.url, { module: {
      format,
      tables: [
        { job: 'edgy-archival', table: 'edgy', key: 'id', time: 'at', retentionDays: 30 },
        { job: 'stuck-archival', table: 'stuck', key: 'id', time: 'at', retentionDays: 30 },
        { job: 'far-archival', table: 'far', key: 'id', time: 'at', retentionDays: 30 },
        { job: 'near-archival', table: 'far', key: 'id', time: 'at', retentionDays: 30, filter: 't.id <= 4' },
      ],
    } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('json with raw newlines and edge whitespace, and years 1 and 99, archive and restore byte for byte', async () => {
    expect(await app.archival.run('edgy-archival')).toMatchObject({ status: 'succeeded', rows: 6 });
    expect(await count(db.sql, 'edgy')).toBe(0);
    const windows = (await app.catalog.listArchives({ table: 'edgy' })).map((a) => a.startDate).sort();
    expect(windows.slice(0, 2)).toEqual(['0001-01-01', '0099-06-01']);

    await app.context.get(RestoreService).restore({ table: 'edgy' }, 'cli');
    expect(await rowDifference(db.sql, 'original', 'edgy')).toBe(0);
    const { rows } = await db.sql.query(`SELECT count(*)::int AS n FROM original o JOIN edgy e USING (id) WHERE o.doc::text IS NOT DISTINCT FROM e.doc::text`);
    expect(rows[0].n).toBe(6);
  });

  it('-infinity and BC times are refused at plan time, naming the table, in a dry run too; nothing is archived or deleted', async () => {
    const why = /2 eligible rows of public.stuck have at = -infinity or a date before 1 AD, which no monthly window holds; nothing was archived/;
    await expect(app.archival.run('stuck-archival', { dryRun: true })).rejects.toThrow(why);
    await expect(app.archival.run('stuck-archival')).rejects.toThrow(why);
    expect(await count(db.sql, 'stuck')).toBe(3);
    expect(await app.catalog.listArchives({ table: 'stuck' })).toEqual([]);
  });

  it('timestamps up to the last microsecond a Parquet timestamp holds round-trip; past it, Parquet refuses at plan time, JSON archives', async () => {
    if (format === 'parquet') {
      const why = /2 eligible rows of public.far have a timestamp past 294247-01-10 04:00:54.775806 UTC in until, naive, .*nothing was archived/;
      await expect(app.archival.run('far-archival', { dryRun: true })).rejects.toThrow(why);
      await expect(app.archival.run('far-archival')).rejects.toThrow(why);
      expect(await count(db.sql, 'far')).toBe(6);
      expect(await app.catalog.listArchives({ table: 'far' })).toEqual([]);
      // The rows a Parquet timestamp holds (±infinity, 4713 BC, the last microsecond) archive once the others are filtered out.
      expect(await app.archival.run('near-archival')).toMatchObject({ status: 'succeeded', rows: 4 });
      expect(await count(db.sql, 'far')).toBe(2);
    } else {
      expect(await app.archival.run('far-archival')).toMatchObject({ status: 'succeeded', rows: 6 });
      expect(await count(db.sql, 'far')).toBe(0);
    }
    await app.context.get(RestoreService).restore({ table: 'far' }, 'cli');
    expect(await rowDifference(db.sql, 'far_original', 'far')).toBe(0);
  });
});
