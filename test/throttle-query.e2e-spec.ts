/**
 * The host's own throttle signal (ARCHIVAL_THROTTLE_QUERY) and the active
 * backends limit, on the test PostgreSQL: a run waits while the query says
 * so, and a query that cannot answer stops the run with nothing deleted.
 */
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { until } from './harness/poll';
import { count, seedLogs } from './harness/seed';

const ROWS = 1_000;

describe('throttling on the host query and on active backends', () => {
  let db: TestDatabase;
  const apps: ArchivalTestApp[] = [];
  const start = async (throttle: object) => {
    const app = await createArchivalApp(db.url, {
      module: { presets: ['log-archival'], maxRowsPerFile: 300, batchSize: 100, throttle: { checkIntervalMs: 50, ...throttle } },
    });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.query(`CREATE TABLE archival_switch (paused boolean NOT NULL)`);
  });
  beforeEach(async () => {
    await db.sql.query(`TRUNCATE flow_execution_logs, archived_partitions CASCADE; DELETE FROM archival_switch`);
    await seedLogs(db.sql, { rows: ROWS, days: 365, now: FIXED_NOW });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db.drop();
  });

  it('waits while the query returns true and goes on when it returns false', async () => {
    await db.sql.query(`INSERT INTO archival_switch VALUES (true)`);
    const app = await start({ throttleQuery: 'SELECT paused FROM archival_switch' });
    const { runId, done } = await app.archival.trigger('log-archival');
    await until(async () => app.archival.progress(runId)?.throttled ?? null, (why) => why === 'throttle_query: ARCHIVAL_THROTTLE_QUERY returned true', 'the run to wait on the query');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await count(db.sql, 'flow_execution_logs')).toBe(ROWS);
    await db.sql.query(`UPDATE archival_switch SET paused = false`);
    expect(await done).toMatchObject({ status: 'succeeded' });
    expect(await count(db.sql, 'flow_execution_logs')).toBeLessThan(ROWS);
  });

  it('stops the run, deleting nothing, when the query answers something other than one boolean', async () => {
    const app = await start({ throttleQuery: 'SELECT 1, 2' });
    await expect(app.archival.run('log-archival')).rejects.toThrow(
      'ARCHIVAL_THROTTLE_QUERY must return one boolean (or no row); it returned 1 row(s) of 2 column(s), first value 1',
    );
    expect((await app.catalog.listRuns({ job: 'log-archival' }))[0]).toMatchObject({ status: 'failed' });
    expect(await count(db.sql, 'flow_execution_logs')).toBe(ROWS);
  });

  it('cannot write through the throttle query: it runs read-only', async () => {
    const app = await start({ throttleQuery: 'INSERT INTO archival_switch VALUES (false) RETURNING paused' });
    await expect(app.archival.run('log-archival')).rejects.toThrow('ARCHIVAL_THROTTLE_QUERY failed: cannot execute INSERT in a read-only transaction');
    expect((await db.sql.query(`SELECT count(*)::int AS n FROM archival_switch`)).rows[0].n).toBe(0);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(ROWS);
  });

  it('runs its own query alone: a second statement cannot end the read-only transaction', async () => {
    await db.sql.query(`INSERT INTO archival_switch VALUES (false)`);
    const app = await start({ throttleQuery: 'COMMIT; DELETE FROM archival_switch RETURNING false' });
    await expect(app.archival.run('log-archival')).rejects.toThrow(/ARCHIVAL_THROTTLE_QUERY failed: cannot insert multiple commands into a prepared statement/);
    expect((await db.sql.query(`SELECT count(*)::int AS n FROM archival_switch`)).rows[0].n).toBe(1);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(ROWS);
  });

  it('reads its signals outside the pool: with one pooled connection and full batches the run still finishes', async () => {
    // ~80 rows a month in batches of 20: each full batch passes the throttle while its part holds the pool's only connection.
    const app = await createArchivalApp(db.url, {
      module: { presets: ['log-archival'], maxRowsPerFile: 60, batchSize: 20, databasePoolSize: 1, throttle: { checkIntervalMs: 10, maxActiveBackends: 1_000 } },
    });
    apps.push(app);
    const report = await app.archival.run('log-archival');
    expect(report).toMatchObject({ status: 'succeeded' });
    expect(report.rows).toBeGreaterThan(500);
  });

  it('waits while other sessions keep more backends active than allowed', async () => {
    const app = await start({ maxReplicaLagMs: 0, maxActiveBackends: 1 });
    // Two sessions of their own busy in pg_sleep: active backends that are not the module's.
    const busy = [queryOnce(db.url, `SELECT pg_sleep(4)`), queryOnce(db.url, `SELECT pg_sleep(4)`)];
    await until(() => db.sql.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(4)' AND state = 'active'`), (r) => r.rows[0].n === 2, 'two busy backends');
    const { runId, done } = await app.archival.trigger('log-archival');
    const why = await until(async () => app.archival.progress(runId)?.throttled ?? null, (w) => w !== null, 'the run to wait on active backends');
    expect(why).toMatch(/^active_backends: \d+ active backends > ARCHIVAL_MAX_ACTIVE_BACKENDS=1$/);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(ROWS);
    await Promise.all(busy);
    expect(await done).toMatchObject({ status: 'succeeded' });
    expect(await count(db.sql, 'flow_execution_logs')).toBeLessThan(ROWS);
  });
});

async function queryOnce(url: string, sql: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
