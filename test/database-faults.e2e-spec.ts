import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { expectConverged } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { until } from './harness/poll';
import { count } from './harness/seed';

describe('the database connection drops mid-run (pg_terminate_backend)', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { maxRowsPerFile: 2000, batchSize: 200, sleepBetweenBatchesMs: 10 } });
    await db.sql.query(
      `INSERT INTO flow_execution_sessions (id, status, created_at)
       SELECT gen_random_uuid(), 'completed', $1::timestamptz + i * interval '10 minutes' FROM generate_series(1, 10000) i`,
      [new Date(FIXED_NOW.getTime() - 200 * 86_400_000).toISOString()],
    );
    await db.sql.query(`INSERT INTO flow_execution_deltas (session_id, seq) SELECT s.id, d FROM flow_execution_sessions s, generate_series(1, 2) d`);
    for (const table of ['flow_execution_sessions', 'flow_execution_deltas']) {
      await db.sql.query(`CREATE TABLE ${table}_original AS SELECT * FROM ${table}`);
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('fails the run cleanly, loses nothing, and the next run converges', async () => {
    const run = app.archival.run('session-archival');
    const outcome = run.then(() => 'finished', (error: Error) => error.message);
    // Once the first part is purged, cut every connection of the module (its pool and its lock).
    await until(() => count(db.sql, 'archived_partitions', `status = 'purged'`), (n) => n > 0, 'a purged part', 30_000);
    const { rows } = await db.sql.query(
      `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'nest-archival'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(await outcome).toMatch(/terminat|connection|lock/i);
    const [last] = await app.catalog.listRuns({ job: 'session-archival', limit: 1 });
    expect(last.status).toBe('failed');

    const rerun = await app.archival.run('session-archival');
    expect(rerun.status).toBe('succeeded');
    expect(await count(db.sql, 'flow_execution_sessions')).toBe(0);
    await expectConverged(db, app, ['flow_execution_sessions', 'flow_execution_deltas']);
  });
});
