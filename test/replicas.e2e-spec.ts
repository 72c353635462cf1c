import { ScheduleModule } from '@nestjs/schedule';
import { ArchivalHooks } from '../src/archival/engine/archival-hooks';
import { createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { daysAgo } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { until } from './harness/poll';
import { count, seedLogs } from './harness/seed';

/** A hook that holds a run at its first archive until released. */
function gate() {
  let open!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const hooks: ArchivalHooks = {
    afterWrite: async () => {
      reached();
      await opened;
    },
  };
  return { hooks, open, arrived };
}

describe('one job at a time, across replicas and cron ticks', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedLogs(db.sql, { rows: 3_000, days: 200, now: FIXED_NOW });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('two instances triggered together: one runs, the other records "skipped"; a dead holder frees the job', async () => {
    const holder = gate();
    const a = await createArchivalApp(db.url, { hooks: holder.hooks });
    const b = await createArchivalApp(db.url);
    try {
      const runA = await a.archival.trigger('log-archival');
      await holder.arrived;
      const reportB = await b.archival.run('log-archival');
      expect(reportB).toMatchObject({ status: 'skipped', error: 'held by another instance', rows: 0 });
      expect(await b.catalog.findRun(reportB.runId)).toMatchObject({ status: 'skipped', error: 'held by another instance' });

      // The holder dies: its connection goes, and PostgreSQL releases the lock with it.
      await db.sql.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      holder.open();
      // Both its locks go with it (the job's and the window's it was archiving): whichever is noticed first stops it.
      await expect(runA.done).rejects.toThrow(/lost the lock on (job "log-archival"|window nest-archival:window:log-archival:public\.flow_execution_logs:\d{4}-\d{2})/);
      const rows = await count(db.sql, 'flow_execution_logs');
      expect(rows).toBe(3_000);

      const eligible = await count(db.sql, 'flow_execution_logs', `created_at < '${daysAgo(90).toISOString()}'`);
      expect(eligible).toBeGreaterThan(1_000);
      const retry = await b.archival.run('log-archival');
      expect(retry).toMatchObject({ status: 'succeeded', rows: eligible });
      expect(await count(db.sql, 'flow_execution_logs')).toBe(3_000 - eligible);
    } finally {
      holder.open();
      await a.close();
      await b.close();
    }
  });

  it('a cron tick that finds its job still running is skipped, never overlapped', async () => {
    await seedLogs(db.sql, { rows: 500, days: 200, now: FIXED_NOW });
    const holder = gate();
    const app = await createArchivalApp(
      db.url, { module: { schedule: true, jobs: { 'log-archival': { cron: '* * * * * *' }, 'session-archival': { enabled: false },
        'call-archival': { enabled: false }, 'memory-cleanup': { enabled: false } } }, hooks: holder.hooks, host: { imports: [ScheduleModule.forRoot()] } },
    );
    try {
      await holder.arrived;
      const skipped = await until(
        () => app.catalog.listRuns({ job: 'log-archival', status: 'skipped' }),
        (runs) => runs.some((r) => r.trigger === 'cron'),
        'a skipped cron tick',
      );
      expect(skipped[0].error).toMatch(/already running in this process/);
      const running = await app.catalog.listRuns({ job: 'log-archival', status: 'running' });
      expect(running).toHaveLength(1);
    } finally {
      holder.open();
      await app.close();
    }
  });

  it('getStatus shows cron, the next run in the configured time zone, and the last run', async () => {
    const app = await createArchivalApp(db.url, { module: {
      schedule: true, timezone: 'America/New_York', jobs: { 'log-archival': { cron: '0 3 * * *' } },
    }, host: { imports: [ScheduleModule.forRoot()] } });
    try {
      const last = await app.archival.run('log-archival');
      const status = await app.archival.getStatus();
      const log = status.find((s) => s.name === 'log-archival')!;
      expect(log).toMatchObject({ cron: '0 3 * * *', timezone: 'America/New_York', enabled: true, running: false });
      expect(log.nextRun).toMatch(/T03:00:00\.000-0[45]:00$/);
      expect(log.lastRun).toMatchObject({ runId: last.runId, status: 'succeeded', durationMs: expect.any(Number) });
      const memory = status.find((s) => s.name === 'memory-cleanup')!;
      expect(memory.cron).toBe('0 2 * * *');
    } finally {
      await app.close();
    }
  });

  it('shutting down mid-run stops at a safe point, deletes nothing half-way, and the next run finishes', async () => {
    await seedLogs(db.sql, { rows: 800, days: 200, now: FIXED_NOW });
    const before = await count(db.sql, 'flow_execution_logs');
    const holder = gate();
    const app = await createArchivalApp(db.url, { hooks: holder.hooks });
    const { runId, done } = await app.archival.trigger('log-archival');
    await holder.arrived;
    const closing = app.close();
    holder.open();
    await closing;
    await expect(done).rejects.toThrow('the application is shutting down');
    expect(await count(db.sql, 'flow_execution_logs')).toBe(before);
    const next = await createArchivalApp(db.url);
    try {
      expect(await next.catalog.findRun(runId)).toMatchObject({ status: 'failed', error: 'the application is shutting down' });
      const report = await next.archival.run('log-archival');
      expect(report.status).toBe('succeeded');
      expect(await count(db.sql, 'flow_execution_logs', `created_at < '${report.tables[0].cutoff}'`)).toBe(0);
    } finally {
      await next.close();
    }
  });
});
