/**
 * On the 1st of each month at 02:00 UTC every built-in job fires at once (the
 * archival jobs' and memory cleanup's default crons meet). Each run holds its
 * job's lock session for the whole run; those sessions must never take the
 * connections the runs need for their work.
 */
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';

const JOBS = ['log-archival', 'session-archival', 'call-archival', 'memory-cleanup'];
const DEADLINE_MS = 60_000;

describe.each([4, 1])('every built-in job at once, with a module pool of %i', (databasePoolSize) => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedLogs(db.sql, { rows: 2_000, days: 365, now: FIXED_NOW });
    app = await createArchivalApp(db.url, { module: { databasePoolSize, maxRowsPerFile: 500 } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('all finish', async () => {
    const runs = await Promise.all(JOBS.map((job) => app.archival.trigger(job)));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`runs still going after ${DEADLINE_MS} ms: waiting for connections?`)), DEADLINE_MS);
    });
    const reports = await Promise.race([Promise.all(runs.map((run) => run.done)), deadline]).finally(() => clearTimeout(timer));
    expect(reports.map((report) => report.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(await count(db.sql, 'flow_execution_logs', `created_at < '${reports[0].tables[0].cutoff}'`)).toBe(0);
    expect(reports[0].rows).toBeGreaterThan(1_000);
  });
});
