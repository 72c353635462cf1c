import { RestoreService } from '../src/archival/restore/restore.service';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { readManifest, rowDifference } from './harness/archives';
import { daysAgo } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';

/** GENERATED ... STORED columns are recomputed on restore, identity columns keep their archived values. */
describe.each(['json', 'parquet'] as const)('generated and identity columns (%s)', (format) => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.query(`
      CREATE TABLE ledger (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        amount integer NOT NULL,
        doubled integer GENERATED ALWAYS AS (amount * 2) STORED,
        booked_at timestamptz NOT NULL)`);
    await db.sql.query(
      `INSERT INTO ledger (amount, booked_at) SELECT i, $1::timestamptz + i * interval '1 hour' FROM generate_series(1, 300) i`,
      [daysAgo(120).toISOString()],
    );
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM ledger`);
    app = await createArchivalApp(db.url, { module: {
      format, tables: [{ job: 'ledger-archival', table: 'ledger', key: 'id', time: 'booked_at', retentionDays: 30 }],
    } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('are marked in the manifest, and the rows restore exactly', async () => {
    expect(await app.archival.run('ledger-archival')).toMatchObject({ status: 'succeeded', rows: 300 });
    expect(await count(db.sql, 'ledger')).toBe(0);
    const [archive] = await app.catalog.listArchives({ table: 'ledger' });
    const manifest = await readManifest(app.archiveDir, archive.manifestPath);
    expect(manifest.columns.map(({ name, generated, identity }) => ({ name, generated, identity }))).toEqual([
      { name: 'id', generated: false, identity: true },
      { name: 'amount', generated: false, identity: false },
      { name: 'doubled', generated: true, identity: false },
      { name: 'booked_at', generated: false, identity: false },
    ]);

    const report = await app.context.get(RestoreService).restore({ table: 'ledger' }, 'cli');
    expect(report).toMatchObject({ status: 'succeeded', rows: 300, written: 300 });
    expect(await rowDifference(db.sql, 'original', 'ledger')).toBe(0);
  });
});
