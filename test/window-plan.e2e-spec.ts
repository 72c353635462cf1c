import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';

/**
 * The plan (the month windows a run archives, with their rows, as a dry run
 * reports them) is found two ways: by walking an index that leads with the
 * time column, or, without one, in one pass over the eligible rows. Both give
 * the same windows and counts: months with a gap between them, rows on a
 * month's first and last microsecond, the job's filter, rows newer than the
 * cutoff left out, and times no window holds refused.
 */
describe.each(['indexed', 'not indexed'] as const)('the plan, time column %s', (indexing) => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.query(`CREATE TABLE spread (id bigserial PRIMARY KEY, at timestamptz NOT NULL, kind text NOT NULL)`);
    if (indexing === 'indexed') await db.sql.query(`CREATE INDEX spread_at ON spread (at)`);
    await db.sql.query(
      `INSERT INTO spread (at, kind) VALUES
         ('2020-01-01 00:00:00+00', 'a'), ('2020-01-15 12:00:00+00', 'a'), ('2020-01-31 23:59:59.999999+00', 'a'),
         ('2020-01-20 00:00:00+00', 'keep'),
         ('2020-03-01 00:00:00+00', 'a'), ('2020-03-31 23:59:59.999999+00', 'a'),
         ('2020-03-10 00:00:00+00', 'keep'), ('2020-03-11 00:00:00+00', 'a'),
         ('2020-06-30 23:59:59.999999+00', 'a'),
         ($1, 'a'), ($1, 'a')`,
      [new Date(FIXED_NOW.getTime() - 86_400_000)],
    );
    app = await createArchivalApp(db.url, { module: {
      tables: [
        { job: 'spread-archival', table: 'spread', key: 'id', time: 'at', retentionDays: 30 },
        { job: 'spread-filtered', table: 'spread', key: 'id', time: 'at', retentionDays: 30, filter: "t.kind <> 'keep'" },
      ],
    } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const plan = async (job: string) => (await app.archival.run(job, { dryRun: true })).tables[0].plan;

  it('finds each month that holds eligible rows, with its count, skipping empty months and rows newer than the cutoff', async () => {
    expect(await plan('spread-archival')).toEqual([
      { window: '2020-01-01..2020-01-31', rows: 4, parts: 1 },
      { window: '2020-03-01..2020-03-31', rows: 4, parts: 1 },
      { window: '2020-06-01..2020-06-30', rows: 1, parts: 1 },
    ]);
  });

  it("counts only the rows the job's filter takes, and drops a month the filter empties", async () => {
    await db.sql.query(`UPDATE spread SET kind = 'keep' WHERE at = '2020-06-30 23:59:59.999999+00'`);
    try {
      expect(await plan('spread-filtered')).toEqual([
        { window: '2020-01-01..2020-01-31', rows: 3, parts: 1 },
        { window: '2020-03-01..2020-03-31', rows: 3, parts: 1 },
      ]);
    } finally {
      await db.sql.query(`UPDATE spread SET kind = 'a' WHERE at = '2020-06-30 23:59:59.999999+00'`);
    }
  });

  it('the run archives what the plan counted, month by month', async () => {
    const result = await app.archival.run('spread-filtered');
    expect(result).toMatchObject({ status: 'succeeded', rows: 7 });
    expect((await app.catalog.listArchives({ table: 'spread' })).map((a) => [a.startDate, a.rowCount]).sort()).toEqual([
      ['2020-01-01', 3], ['2020-03-01', 3], ['2020-06-01', 1],
    ]);
    expect(await count(db.sql, 'spread')).toBe(4);
  });

  it('refuses -infinity and BC times at plan time, counting them, and archives nothing', async () => {
    await db.sql.query(`INSERT INTO spread (at, kind) VALUES ('-infinity', 'a'), ('0044-03-15 00:00:00+00 BC', 'a')`);
    const why = /2 eligible rows of public.spread have at = -infinity or a date before 1 AD, which no monthly window holds; nothing was archived/;
    await expect(app.archival.run('spread-archival', { dryRun: true })).rejects.toThrow(why);
    await expect(app.archival.run('spread-archival')).rejects.toThrow(why);
    expect(await count(db.sql, 'spread')).toBe(6);
  });
});
