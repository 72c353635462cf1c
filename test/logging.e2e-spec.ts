import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { captureLogs } from './harness/log-capture';
import { seedLogs } from './harness/seed';

describe('structured logs', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const logs = captureLogs();
  const lines = logs.lines;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedLogs(db.sql, { rows: 3_000, days: 200, now: FIXED_NOW });
    app = await createArchivalApp(db.url, { module: { batchSize: 500, adminToken: 'never-log-this-admin-token-0123456789' } });
    logs.install(); // after compile(), which installs the testing logger
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    logs.restore();
  });

  it('has one line per run, per archive and per batch, with job, run id, table, rows, bytes and duration', async () => {
    const report = await app.archival.run('log-archival');
    const of = logs.events;
    expect(of('run.finished')).toEqual([
      expect.objectContaining({ job: 'log-archival', runId: report.runId, rows: report.rows, bytes: report.bytes, ms: expect.any(Number) }),
    ]);
    expect(of('archive.purged')).toHaveLength(report.archives);
    expect(of('archive.purged')[0]).toEqual(
      expect.objectContaining({ job: 'log-archival', runId: report.runId, table: 'flow_execution_logs', rows: expect.any(Number), bytes: expect.any(Number), ms: expect.any(Number) }),
    );
    const batches = of('batch');
    expect(batches.reduce((sum, b) => sum + (b.rows as number), 0)).toBe(report.rows);
    expect(batches.every((b) => b.runId === report.runId && (b.rows as number) <= 500)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('never-log-this-admin-token-0123456789');
  });
});
