import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../src/archival/archival.errors';
import { bootstrap } from '../src/main';
import { createTestDatabase, TestDatabase } from './harness/database';
import { freePort } from './harness/free-port';

describe('the demo host API (npm start)', () => {
  let db: TestDatabase;
  let archiveDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    archiveDir = await mkdtemp(join(tmpdir(), 'archival-host-'));
  });
  afterAll(async () => {
    await db?.drop();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it('serves the API with the module mounted and healthy', async () => {
    const port = await freePort();
    const { stop } = await bootstrap({ DATABASE_URL: db.url, PORT: String(port), ARCHIVAL_PATH: archiveDir });
    try {
      const live = await fetch(`http://127.0.0.1:${port}/health`);
      expect(live.status).toBe(200);
      expect(await live.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ok', details: { database: { status: 'up' }, storage: { status: 'up', type: 'local' }, archival_jobs: { status: 'up', failed: [] } },
      });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('# TYPE archival_rows_archived_total counter');
      expect(metrics).toContain('process_resident_memory_bytes');
      const openapi = (await (await fetch(`http://127.0.0.1:${port}/admin/archival/docs-json`)).json()) as {
        paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> };
      };
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining([
        '/admin/archival/jobs', '/admin/archival/jobs/{name}/run', '/admin/archival/runs/{id}', '/admin/archival/archives',
        '/admin/archival/archives/{id}/verify', '/admin/archival/restore', '/admin/archival/export',
      ]));
      expect(openapi.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      // An opaque token, not a JWT.
      expect(openapi.components.securitySchemes.bearer).toHaveProperty('bearerFormat', 'opaque');
      expect((await fetch(`http://127.0.0.1:${port}/admin/archival/docs`)).status).toBe(200);
    } finally {
      await stop();
    }
  });

  it.each([
    [{}, ['log-archival', 'session-archival', 'call-archival', 'memory-cleanup']],
    [{ ARCHIVAL_PRESETS: 'memory-cleanup' }, ['memory-cleanup']],
  ])('runs the presets over its own tables: all four, unless ARCHIVAL_PRESETS (%j) narrows them', async (presets, jobs) => {
    const port = await freePort();
    const token = 'demo-host-admin-token-0123456789abcdef';
    const { stop } = await bootstrap({ DATABASE_URL: db.url, PORT: String(port), ARCHIVAL_PATH: archiveDir, ARCHIVAL_ADMIN_TOKEN: token, ...presets });
    try {
      const response = await fetch(`http://127.0.0.1:${port}/admin/archival/jobs`, { headers: { Authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { name: string }[]).map((job) => job.name)).toEqual(jobs);
    } finally {
      await stop();
    }
  });

  it('refuses to start on invalid configuration, naming each bad variable', async () => {
    const start = bootstrap({
      DATABASE_URL: db.url,
      PORT: String(await freePort()),
      ARCHIVAL_COMPRESSION: 'snappy',
      ARCHIVAL_SCHEDULE_CRON: '* * *',
      ARCHIVAL_RETENTION_DAYS: '-3',
    });
    await expect(start).rejects.toThrow(ConfigurationError);
    await expect(start).rejects.toThrow(/ARCHIVAL_COMPRESSION="snappy"[\s\S]*ARCHIVAL_RETENTION_DAYS=-3[\s\S]*ARCHIVAL_SCHEDULE_CRON="\* \* \*"/);
  });

  it("refuses to start when a job's retention is outside the configured bounds", async () => {
    const start = bootstrap({
      DATABASE_URL: db.url, PORT: String(await freePort()), ARCHIVAL_PATH: archiveDir,
      ARCHIVAL_MIN_RETENTION_DAYS: '30', ARCHIVAL_MAX_RETENTION_DAYS: '400', ARCHIVAL_LOG_ARCHIVAL_RETENTION_DAYS: '7',
    });
    start.then(({ stop }) => stop(), () => undefined);
    await expect(start).rejects.toThrow(
      'job log-archival keeps rows 7 days, outside ARCHIVAL_MIN_RETENTION_DAYS=30..ARCHIVAL_MAX_RETENTION_DAYS=400',
    );
  });
});
