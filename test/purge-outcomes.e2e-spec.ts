import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArchivalHooks } from '../src/archival/engine/archival-hooks';
import { RestoreService } from '../src/archival/restore/restore.service';
import { VerifyService } from '../src/archival/readback/verify.service';
import { createArchivalApp } from './harness/archival-app';
import { rowDifference } from './harness/archives';
import { daysAgo, monthStart, FIXED_NOW } from './harness/clock';
import { startCommitCuttingProxy } from './harness/commit-cutting-proxy';
import { createTestDatabase, TestDatabase } from './harness/database';
import { until } from './harness/poll';
import { count, seedLogs } from './harness/seed';

/** What a purge committed is never disowned: not when its COMMIT reply is lost, nor when its run loses the lock. */
describe('a purge whose outcome the run did not see', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db?.drop();
  });

  it('a lost COMMIT reply: the catalog says purged, the run goes on, and the rows restore exactly', async () => {
    await seedLogs(db.sql, { rows: 3_000, days: 200 });
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);
    const target = new URL(db.url);
    const proxy = await startCommitCuttingProxy({ host: target.hostname, port: Number(target.port) });
    const app = await createArchivalApp(proxy.url(db.url), { module: { maxRowsPerFile: 500 } });
    try {
      proxy.arm();
      const report = await app.archival.run('log-archival');
      expect(proxy.cuts).toBe(1);
      expect(report.status).toBe('succeeded');
      const archives = await app.catalog.listArchives({ table: 'flow_execution_logs' });
      expect(archives.every((a) => a.status === 'purged')).toBe(true);
      expect(archives.reduce((sum, a) => sum + a.rowCount, 0)).toBe(report.rows);
      expect(await count(db.sql, 'flow_execution_logs')).toBe(3_000 - report.rows);

      expect(await app.context.get(VerifyService).verify({})).toMatchObject({ problems: [], missing: [], untracked: [] });
      await app.context.get(RestoreService).restore({ table: 'flow_execution_logs' }, 'cli');
      expect(await rowDifference(db.sql, 'original', 'flow_execution_logs')).toBe(0);
    } finally {
      await app.close();
      await proxy.close();
    }
  });

  it('the lock lost while a purge commits: the next run leaves that archive alone, and nothing it committed is lost', async () => {
    // One month, one part: the whole run is one purge.
    await seedLogs(db.sql, { rows: 1_000, from: monthStart(FIXED_NOW, -8), now: new Date(monthStart(FIXED_NOW, -7).getTime() - 1000) });
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);
    let release!: () => void;
    let reached!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const midDelete = new Promise<void>((resolve) => (reached = resolve));
    const hooks: ArchivalHooks = {
      at: async (point) => {
        if (point !== 'mid-delete') return;
        reached();
        await released; // rows deleted and the archive marked purged, not yet committed
      },
    };
    const a = await createArchivalApp(db.url, { hooks });
    // The second replica's clock sees no eligible row: its run does only what every run does first.
    const b = await createArchivalApp(db.url, { now: daysAgo(400) });
    try {
      const runA = await a.archival.trigger('log-archival');
      await midDelete;
      const [archive] = await a.catalog.listArchives({ table: 'flow_execution_logs' });
      await db.sql.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      const runB = b.archival.run('log-archival');
      // B either finishes or blocks on A's transaction; either way, A then commits.
      await until(
        async () => (await db.sql.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`)).rows[0].n > 0
          || (await b.catalog.lastRun('log-archival'))?.status !== 'running',
        Boolean, 'the second run to finish or wait',
      );
      release();
      await expect(runA.done).rejects.toThrow(); // it lost its lock: it stops before anything more
      expect((await runB).status).toBe('succeeded');

      expect(await a.catalog.findArchive(archive.id)).toMatchObject({ status: 'purged' });
      expect(existsSync(join(a.archiveDir, archive.archivePath))).toBe(true);
      expect(existsSync(join(a.archiveDir, archive.manifestPath))).toBe(true);
      expect(archive.rowCount).toBe(1_000);
      expect(await count(db.sql, 'flow_execution_logs')).toBe(0);
      await a.context.get(RestoreService).restore({ archiveId: archive.id }, 'cli');
      expect(await rowDifference(db.sql, 'original', 'flow_execution_logs')).toBe(0);
    } finally {
      release();
      await a.close();
      await b.close();
    }
  });
});
