import request from 'supertest';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { captureLogs } from './harness/log-capture';
import { until } from './harness/poll';
import { count, counts, RUN_TRACES, seedLogs } from './harness/seed';

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
    app = await createArchivalApp(db.url, { module: { adminToken: TOKEN }, http: true });
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
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="nest-archival"');
  });

  it('answers 403 with how to enable it when no token is configured', async () => {
    const closed = await createArchivalApp(db.url, { http: true });
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
    expect(badDate.body.message).toBe('from 2024-13-45: expected a date YYYY-MM-DD or an ISO-8601 timestamp');
    const badDryRun = await api().post('/admin/archival/jobs/log-archival/run').set(auth).send({ dryRun: 'yes' });
    expect(badDryRun.status).toBe(400);
    expect((await api().get('/admin/archival/runs').query({ status: 'done' }).set(auth)).status).toBe(400);
    expect((await api().get('/admin/archival/archives/999999').set(auth)).status).toBe(404);
  });

  const badRequests: [string, () => request.Test, number, RegExp][] = [
    ['an array body', () => api().post('/admin/archival/jobs/log-archival/run').set(auth).send([1, 2]), 400, /must be a JSON object, got \[1,2\]/],
    ['a text/plain body', () => api().post('/admin/archival/jobs/log-archival/run').set(auth).set('Content-Type', 'text/plain').send('dryRun=true'), 400, /must be JSON .*text\/plain/],
    ['a JSON string body', () => api().post('/admin/archival/restore').set(auth).set('Content-Type', 'application/json').send('"x"'), 400, /must be a JSON object|Unexpected token|not valid JSON/],
    ['from after to', () => api().get('/admin/archival/archives').query({ from: '2025-03-01', to: '2025-01-01' }).set(auth), 400, /from 2025-03-01 is after to 2025-01-01/],
    ['restore from after to', () => api().post('/admin/archival/restore').set(auth).send({ table: 'flow_execution_logs', from: '2025-03-01', to: '2025-01-01' }), 400, /is after/],
    ['a malformed archive id', () => api().get('/admin/archival/archives/abc').set(auth), 400, /archive id abc: expected an archive id/],
    ['a malformed run id', () => api().get('/admin/archival/runs/not-a-uuid').set(auth), 400, /run id not-a-uuid: expected a run id \(a uuid\)/],
    ['a run body that is a number', () => api().post('/admin/archival/jobs/log-archival/run').set(auth).set('Content-Type', 'application/json').send('5'), 400, /must be a JSON object, got 5|not valid JSON|Unexpected/],
    ['a string dryRun', () => api().post('/admin/archival/jobs/log-archival/run').set(auth).send({ dryRun: 'false' }), 400, /dryRun false: expected true or false/],
    ['a restore body that is an array', () => api().post('/admin/archival/restore').set(auth).send([{ archiveId: 1 }]), 400, /must be a JSON object, got \[\{"archiveId":1\}\]/],
    ['a restore archiveId that is a string', () => api().post('/admin/archival/restore').set(auth).send({ archiveId: '1' }), 400, /archiveId "1": expected an archive id \(a JSON number from 1\)/],
    ['a restore with neither archive nor table', () => api().post('/admin/archival/restore').set(auth).send({ dryRun: true }), 400, /give an archive id, or a table/],
    ['a restore with a malformed timestamp', () => api().post('/admin/archival/restore').set(auth).send({ table: 'flow_execution_logs', to: '2025-01-01T25:00:00Z' }), 400, /to 2025-01-01T25:00:00Z: expected a date/],
    ['a restore conflict rule that is not one', () => api().post('/admin/archival/restore').set(auth).send({ table: 'flow_execution_logs', conflict: 'merge' }), 400, /conflict merge: expected one of skip, overwrite, fail/],
    ['a limit of 0', () => api().get('/admin/archival/runs').query({ limit: '0' }).set(auth), 400, /limit 0: expected a whole number from 1 to 1000/],
    ['an export without an id', () => api().get('/admin/archival/export').query({ job: 'log-archival' }).set(auth), 400, /id is required/],
    ['an export of an unknown job', () => api().get('/admin/archival/export').query({ job: 'nope', id: '1' }).set(auth), 404, /Unknown archival job "nope"/],
    ['an export of a key found nowhere', () => api().get('/admin/archival/export').query({ job: 'log-archival', id: '999999999' }).set(auth), 404, /no entity with key "999999999"/],
    ['a run of an unknown job', () => api().post('/admin/archival/jobs/nope/run').set(auth).send({ dryRun: true }), 404, /Unknown archival job "nope"/],
    ['runs of an unknown job', () => api().get('/admin/archival/runs').query({ job: 'nope' }).set(auth), 404, /Unknown archival job "nope"/],
    ['an unknown archive', () => api().post('/admin/archival/archives/999999/verify').set(auth), 404, /no archive 999999/],
  ];
  it.each(badRequests)('refuses %s, naming it, and starts no run', async (_name, send, status, named) => {
    const before = await counts(db.sql, [...RUN_TRACES, 'flow_execution_logs']);
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.body.message).toMatch(named);
    expect(await counts(db.sql, [...RUN_TRACES, 'flow_execution_logs'])).toEqual(before);
  });

  it('takes ISO-8601 timestamps where it takes dates', async () => {
    const response = await api().get('/admin/archival/archives').query({ from: '2000-01-01T00:00:00Z', to: '2999-12-31T23:59:59+01:00' }).set(auth);
    expect(response.status).toBe(200);
    expect(response.body.length).toBeGreaterThan(0);
  });

  it('never logs the token', () => {
    expect(JSON.stringify(logs.lines)).not.toContain(TOKEN);
  });
});
