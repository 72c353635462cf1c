import request from 'supertest';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { captureLogs } from './harness/log-capture';
import { until } from './harness/poll';
import { count, seedLogs } from './harness/seed';

const TOKEN = 'admin-token-that-must-stay-secret';

describe('admin REST API', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const logs = captureLogs();
  const api = () => request(app.server as never);
  const auth = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedLogs(db.sql, { rows: 3_000, days: 200, now: FIXED_NOW });
    app = await createArchivalApp(db.url, { adminToken: TOKEN }, undefined, FIXED_NOW, true);
    logs.install();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    logs.restore();
  });

  it('answers 401 without a token or with a wrong one', async () => {
    expect((await api().get('/admin/archival/jobs')).status).toBe(401);
    const wrong = await api().get('/admin/archival/jobs').set('Authorization', 'Bearer nope');
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toContain('Authorization: Bearer');
  });

  it('answers 403 with how to enable it when no token is configured', async () => {
    const closed = await createArchivalApp(db.url, {}, undefined, FIXED_NOW, true);
    try {
      const response = await request(closed.server as never).get('/admin/archival/jobs').set(auth);
      expect(response.status).toBe(403);
      expect(response.body.message).toContain('set ARCHIVAL_ADMIN_TOKEN');
    } finally {
      await closed.close();
    }
  });

  it('lists jobs, triggers a run (202), and reports it until done, then lists its archives', async () => {
    const jobs = await api().get('/admin/archival/jobs').set(auth);
    expect(jobs.status).toBe(200);
    expect(jobs.body.map((j: { name: string }) => j.name)).toEqual(['log-archival', 'session-archival', 'call-archival', 'memory-cleanup']);

    const started = await api().post('/admin/archival/jobs/log-archival/run').set(auth).send({});
    expect(started.status).toBe(202);
    const { runId } = started.body;
    const run = await until(
      async () => (await api().get(`/admin/archival/runs/${runId}`).set(auth)).body,
      (body) => body.status !== 'running',
      `run ${runId} to finish`,
    );
    expect(run).toMatchObject({ id: runId, job: 'log-archival', trigger: 'api', status: 'succeeded' });
    expect(await count(db.sql, 'flow_execution_logs')).toBe(3_000 - run.rows);

    const archives = await api().get('/admin/archival/archives').query({ table: 'flow_execution_logs', status: 'purged' }).set(auth);
    expect(archives.status).toBe(200);
    expect(archives.body.reduce((n: number, a: { rowCount: number }) => n + a.rowCount, 0)).toBe(run.rows);
    const one = await api().get(`/admin/archival/archives/${archives.body[0].id}`).set(auth);
    expect(one.body).toMatchObject({ id: archives.body[0].id, status: 'purged' });
    const runs = await api().get('/admin/archival/runs').query({ job: 'log-archival', limit: '5' }).set(auth);
    expect(runs.body[0].id).toBe(runId);
  });

  it('validates input: unknown job 404, bad dates and values 400 with the reason', async () => {
    const unknown = await api().post('/admin/archival/jobs/nope/run').set(auth).send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('Unknown archival job "nope"');
    const badDate = await api().get('/admin/archival/archives').query({ from: '2024-13-45' }).set(auth);
    expect(badDate.status).toBe(400);
    expect(badDate.body.message).toBe('from="2024-13-45" is not a date; expected YYYY-MM-DD');
    const badDryRun = await api().post('/admin/archival/jobs/log-archival/run').set(auth).send({ dryRun: 'yes' });
    expect(badDryRun.status).toBe(400);
    expect((await api().get('/admin/archival/runs').query({ status: 'done' }).set(auth)).status).toBe(400);
    expect((await api().get('/admin/archival/runs/not-a-uuid').set(auth)).status).toBe(404);
    expect((await api().get('/admin/archival/archives/999999').set(auth)).status).toBe(404);
  });

  it('never logs the token', () => {
    expect(JSON.stringify(logs.lines)).not.toContain(TOKEN);
  });
});
