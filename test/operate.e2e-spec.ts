import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { mkdir, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { ArchivalHealthIndicator } from '../src/archival/health/archival.health';
import { TableStatsCollector } from '../src/archival/metrics/table-stats.collector';
import { HealthController } from '../src/demo/health.controller';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { until } from './harness/poll';
import { count, seedLogs } from './harness/seed';

const TOKEN = 'operator-token-0123456789abcdefghijkl';

describe('operating it over HTTP: trigger, restore, verify, metrics, readiness', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const api = () => request(app.server as never);
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const waitForRun = (runId: string) =>
    until(async () => (await api().get(`/admin/archival/runs/${runId}`).set(auth)).body, (run) => run.status !== 'running', `run ${runId}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedLogs(db.sql, { rows: 6_000, days: 200, now: FIXED_NOW });
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);
    app = await createArchivalApp(db.url, { module: { adminToken: TOKEN, maxRowsPerFile: 1000, compression: 'zstd' }, http: true, host: {
      imports: [TerminusModule, PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: false } })],
      controllers: [HealthController],
    } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('triggers a run, polls it to the end, lists its archives; /metrics counts it with job and table labels', async () => {
    const started = await api().post('/admin/archival/jobs/log-archival/run').set(auth).send({});
    expect(started.status).toBe(202);
    const run = await waitForRun(started.body.runId);
    expect(run).toMatchObject({ status: 'succeeded', job: 'log-archival', trigger: 'api' });
    const archives = (await api().get('/admin/archival/archives?table=flow_execution_logs').set(auth)).body;
    expect(archives.length).toBeGreaterThan(3);
    expect(archives.reduce((sum: number, a: { rowCount: number }) => sum + a.rowCount, 0)).toBe(run.rows);

    await app.context.get(TableStatsCollector).refresh();
    const metrics = (await api().get('/metrics')).text;
    const labels = '{job="log-archival",table="flow_execution_logs",storage="local"}';
    expect(metrics).toContain(`archival_rows_archived_total${labels} ${run.rows}`);
    expect(metrics).toContain(`archival_rows_purged_total${labels} ${run.rows}`);
    expect(metrics).toContain(`archival_archives_total${labels} ${archives.length}`);
    expect(metrics).toMatch(/archival_runs_total\{job="log-archival",status="succeeded"\} 1/);
    expect(metrics).toMatch(/archival_last_success_timestamp_seconds\{job="log-archival"\} \d+/);
    expect(metrics).toMatch(/archival_table_size_bytes\{job="log-archival",table="flow_execution_logs"\} [1-9]\d*/);
    expect(metrics).toMatch(/archival_eligible_rows\{job="log-archival",table="flow_execution_logs"\} \d+/);
  });

  it('restores purged rows with each conflict strategy, exactly, and keeps a watermark', async () => {
    const restore = async (body: object) => {
      const response = await api().post('/admin/archival/restore').set(auth).send(body);
      expect(response.status).toBe(202);
      return waitForRun(response.body.runId);
    };
    // skip: into the table the rows were purged from.
    const skip = await restore({ table: 'flow_execution_logs', conflict: 'skip' });
    expect(skip).toMatchObject({ status: 'succeeded', job: 'restore' });
    expect(await rowDifference(db.sql, 'original', 'flow_execution_logs')).toBe(0);
    // Again: the watermark skips every archive, nothing is written.
    const again = await restore({ table: 'flow_execution_logs' });
    expect(again.rows).toBe(0);
    expect(again.summary.restore.archives.every((a: { skipped?: string }) => a.skipped === 'already restored')).toBe(true);
    // fail: the rows are there, so it fails and changes nothing.
    const failing = await restore({ table: 'flow_execution_logs', conflict: 'fail', ignoreWatermark: true });
    expect(failing.status).toBe('failed');
    expect(failing.error).toMatch(/already in flow_execution_logs \(conflict=fail\); nothing was restored/);
    // overwrite: rows edited since come back as archived.
    await db.sql.query(`UPDATE flow_execution_logs SET message = 'edited' WHERE id % 10 = 0 AND created_at < $1`, [
      new Date(FIXED_NOW.getTime() - 100 * 86_400_000).toISOString(),
    ]);
    const overwrite = await restore({ table: 'flow_execution_logs', conflict: 'overwrite', ignoreWatermark: true });
    expect(overwrite.status).toBe('succeeded');
    expect(await rowDifference(db.sql, 'original', 'flow_execution_logs')).toBe(0);
    // A dry run reports counts and writes nothing.
    const dry = await restore({ table: 'flow_execution_logs', dryRun: true, ignoreWatermark: true });
    expect(dry.summary.restore.rows).toBe(overwrite.summary.restore.rows);
    expect(dry.summary.restore.written).toBe(0);
  });

  it('rejects bad restore input with 400 naming it, and an unknown archive with 404', async () => {
    expect((await api().post('/admin/archival/restore').set(auth).send({ table: 'flow_execution_logs', from: '2024-13-01' })).body.message)
      .toContain('from 2024-13-01: expected a date');
    expect((await api().post('/admin/archival/restore').set(auth).send({ table: 'x', conflict: 'merge' })).status).toBe(400);
    expect((await api().post('/admin/archival/restore').set(auth).send({ archiveId: 999999 })).status).toBe(404);
    expect((await api().post('/admin/archival/restore').set(auth).send({})).status).toBe(400);
  });

  it('one corrupt byte: verify reports that archive, restore refuses it and inserts nothing', async () => {
    // Restored by the test before (status restored): its file is still the archive of those rows.
    const [archive] = (await api().get('/admin/archival/archives?table=flow_execution_logs&status=restored').set(auth)).body;
    const path = join(app.archiveDir, archive.archivePath);
    const bytes = await readFile(path);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    await writeFile(path, bytes);
    const verified = await api().post(`/admin/archival/archives/${archive.id}/verify`).set(auth);
    expect(verified.status).toBe(200);
    expect(verified.body.intact).toBe(false);
    expect(verified.body.problems[0]).toMatchObject({ archiveId: archive.id, path: archive.archivePath });
    await db.sql.query(`DELETE FROM flow_execution_logs WHERE id BETWEEN $1 AND $2`, [archive.minPk, archive.maxPk]);
    const before = await count(db.sql, 'flow_execution_logs');
    const response = await api().post('/admin/archival/restore').set(auth).send({ archiveId: archive.id, ignoreWatermark: true });
    const run = await waitForRun(response.body.runId);
    expect(run.status).toBe('failed');
    expect(run.error).toContain(archive.archivePath);
    expect(run.error).toMatch(/nothing was restored/);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(before);
  });

  it('readiness turns 503 naming the store when it cannot take archives; liveness stays 200', async () => {
    // The archive root becomes a file: nothing can be written under it.
    const entries = await readdir(app.archiveDir);
    await rm(app.archiveDir, { recursive: true, force: true });
    await writeFile(app.archiveDir, 'not a directory');
    try {
      const down = await api().get('/health/ready');
      expect(down.status).toBe(503);
      expect(down.body.details.storage).toMatchObject({ status: 'down', message: expect.stringMatching(/cannot take archives: it is not a directory/) });
      expect(down.body.details.database.status).toBe('up');
      expect((await api().get('/health')).status).toBe(200);
    } finally {
      await rm(app.archiveDir, { force: true });
      expect(entries.length).toBeGreaterThan(0);
    }
    // Readiness keeps an outcome for 30 s; a check that asks for a fresh one sees the store back.
    await mkdir(app.archiveDir);
    const fresh = await app.context.get(ArchivalHealthIndicator).storageReachable('storage', { ttlMs: 0 });
    expect(fresh.storage).toMatchObject({ status: 'up', type: 'local' });
  });
});
