import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { monthStart } from './harness/clock';
import { expectConverged } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { faultHooks } from './harness/fault-hooks';
import { captureLogs } from './harness/log-capture';
import { count, seedLogs } from './harness/seed';

/** ARCHIVAL_NICE_RATIO: a paced run takes turns with the database's other work and still loses nothing. */
describe('a paced run (ARCHIVAL_NICE_RATIO)', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const hooks = faultHooks();
  const logs = captureLogs();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { batchSize: 300, maxRowsPerFile: 1_000, niceRatio: 0.2 }, hooks });
    logs.install();
    // Both tables start at a month's first instant, so their first window is a full one whatever the clock.
    const old = monthStart(FIXED_NOW, -7).toISOString();
    await db.sql.query(
      `INSERT INTO flow_execution_sessions (id, status, created_at)
       SELECT gen_random_uuid(), 'completed', $1::timestamptz + i * interval '10 minutes' FROM generate_series(1, 2500) i`,
      [old],
    );
    await db.sql.query(`INSERT INTO flow_execution_deltas (session_id, seq) SELECT s.id, d FROM flow_execution_sessions s, generate_series(1, 2) d`);
    await seedLogs(db.sql, { rows: 3_000, from: monthStart(FIXED_NOW, -7) });
    for (const table of ['flow_execution_sessions', 'flow_execution_deltas', 'flow_execution_logs']) {
      await db.sql.query(`CREATE TABLE ${table}_original AS SELECT * FROM ${table}`);
    }
  });
  afterAll(async () => {
    logs.restore();
    await app?.close();
    await db?.drop();
  });

  it('reads and deletes in batches of ARCHIVAL_BATCH_SIZE, purges one part before reading the next, and loses nothing', async () => {
    logs.lines.length = 0;
    const report = await app.archival.run('session-archival');
    expect(report).toMatchObject({ status: 'succeeded', rows: 2_500 + 5_000 });

    const deletes = logs.events('purge.batch');
    const deleted = (table: string) => deletes.filter((e) => e.table === table).reduce((sum, e) => sum + (e.rows as number), 0);
    expect(deletes.every((e) => (e.rows as number) <= 300 && e.runId === report.runId)).toBe(true);
    expect(deleted('flow_execution_sessions')).toBe(2_500);
    expect(deleted('flow_execution_deltas')).toBe(5_000);

    // Between a part's first delete and its "archive.purged" line, nothing of the next part is read.
    let purging = false;
    for (const { event } of logs.events()) {
      if (event === 'purge.batch') purging = true;
      if (event === 'archive.purged') purging = false;
      if (event === 'batch') expect(purging).toBe(false);
    }
    expect(logs.events('archive.purged')).toHaveLength(3);
    await expectConverged(db, app, ['flow_execution_sessions', 'flow_execution_deltas']);
  });

  it('rolls back every batch of a purge that meets a row changed since it was archived', async () => {
    hooks.afterVerify = async () => {
      await db.sql.query(`UPDATE flow_execution_logs SET message = 'edited during the run' WHERE id = (SELECT min(id) FROM flow_execution_logs)`);
    };
    logs.lines.length = 0;
    const failure = await app.archival.run('log-archival').then(() => 'succeeded', (error: Error) => error.message);
    // The changed row is in the part's first batch of deletes; later batches ran, then the count fell one short.
    const [, deleted, archived] = failure.match(/purge of .* rolled back: (\d+) of (\d+) archived rows/) ?? [failure];
    expect(Number(archived)).toBeGreaterThan(300);
    expect(Number(deleted)).toBe(Number(archived) - 1);
    expect(logs.events('purge.batch').filter((e) => e.table === 'flow_execution_logs').length).toBeGreaterThan(1);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(3_000);
    expect(await app.catalog.listArchives({ table: 'flow_execution_logs', status: 'purged' })).toEqual([]);

    delete hooks.afterVerify;
    const next = await app.archival.run('log-archival');
    expect(next.status).toBe('succeeded');
    await db.sql.query(`UPDATE flow_execution_logs_original SET message = 'edited during the run' WHERE id = (SELECT min(id) FROM flow_execution_logs_original)`);
    await expectConverged(db, app, ['flow_execution_logs']);
  });
});
