import request from 'supertest';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { monthStart } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { faultHooks } from './harness/fault-hooks';
import { captureLogs } from './harness/log-capture';
import { until } from './harness/poll';
import { seedLogs } from './harness/seed';

const TOKEN = 'a-progress-token-of-at-least-32-characters';
const WINDOW = /^\d{4}-\d{2}-01\.\.\d{4}-\d{2}-\d{2}$/;

/** GET runs/:id shows a running run's progress, read from the process that runs it. */
describe('progress of a running run', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const hooks = faultHooks();
  const logs = captureLogs();
  const api = () => request(app.server as never);
  const run = async (id: string) => (await api().get(`/admin/archival/runs/${id}`).set({ Authorization: `Bearer ${TOKEN}` })).body;

  beforeAll(async () => {
    db = await createTestDatabase();
    // 1,000 rows over two old months, in parts of 200.
    await seedLogs(db.sql, { rows: 1_000, from: monthStart(FIXED_NOW, -8), now: monthStart(FIXED_NOW, -6) });
    app = await createArchivalApp(db.url, { module: { adminToken: TOKEN, batchSize: 100, maxRowsPerFile: 200 }, hooks, http: true });
    logs.install();
  });
  afterAll(async () => {
    logs.restore();
    await app?.close();
    await db?.drop();
  });

  it('reports rows so far, table, window, rate and ETA while the run goes on, and the finished run after', async () => {
    // Each verified part waits for the test to let it go on, so the run is caught mid-way.
    const waiting: (() => void)[] = [];
    hooks.afterVerify = () => new Promise<void>((resolve) => waiting.push(resolve));
    const started = await api().post('/admin/archival/jobs/log-archival/run').set({ Authorization: `Bearer ${TOKEN}` }).send({});
    expect(started.status).toBe(202);
    const { runId } = started.body;

    await until(async () => waiting.length, (n) => n >= 1, 'the first part to be verified');
    const before = await run(runId);
    expect(before.status).toBe('running');
    expect(before.progress).toMatchObject({ rows: 0, plannedRows: 1_000, percent: 0, table: 'flow_execution_logs', etaSeconds: null });
    expect(before.progress.window).toMatch(WINDOW);

    waiting.shift()!();
    const after = await until(() => run(runId), (body) => body.progress?.rows > 0, 'the first part to be purged');
    expect(after.progress).toMatchObject({ rows: 200, plannedRows: 1_000, percent: 20, table: 'flow_execution_logs' });
    expect(after.progress.rowsPerSecond).toBeGreaterThan(0);
    expect(after.progress.etaSeconds).toEqual(expect.any(Number));

    delete hooks.afterVerify;
    for (const resolve of waiting.splice(0)) resolve();
    const finished = await until(() => run(runId), (body) => body.status !== 'running', 'the run to finish');
    expect(finished).toMatchObject({ status: 'succeeded', rows: 1_000 });
    expect(finished.progress).toBeUndefined();
  });

  it('shows no progress for a dry run', async () => {
    const report = await app.archival.run('log-archival', { dryRun: true });
    expect(app.archival.progress(report.runId)).toBeUndefined();
  });
});
