import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';

/**
 * A database whose defaults would cut the module's sessions short: the job's
 * lock session idles for the whole run, and a paced purge rests inside its
 * transaction. The module's sessions set their own timeouts.
 */
describe('server timeouts shorter than a run', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedLogs(db.sql, { rows: 20_000, days: 200 });
    await db.sql.query(`ALTER DATABASE ${db.name} SET idle_session_timeout = '300ms'`);
    await db.sql.query(`ALTER DATABASE ${db.name} SET idle_in_transaction_session_timeout = '100ms'`);
    // A paced run rests between steps and inside its purge transactions: it lasts well over 300 ms.
    app = await createArchivalApp(db.url, { module: { maxRowsPerFile: 2_000, batchSize: 500, niceRatio: 1, sleepBetweenBatchesMs: 150 } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('do not kill the lock session or a paced purge: the run succeeds', async () => {
    const started = Date.now();
    const report = await app.archival.run('log-archival');
    expect(Date.now() - started).toBeGreaterThan(1_000);
    expect(report.status).toBe('succeeded');
    expect(await count(db.sql, 'flow_execution_logs')).toBe(20_000 - report.rows);
  });
});
