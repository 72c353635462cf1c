import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { S3StorageOptions } from '../src/archival/archival-options';
import { ArchivalHealthIndicator } from '../src/archival/health/archival.health';
import { S3StorageProvider } from '../src/archival/storage/s3.storage';
import { STORAGE_PROVIDER } from '../src/archival/storage/storage-provider.interface';
import { HealthController } from '../src/demo/health.controller';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { faultHooks } from './harness/fault-hooks';
import { s3TestClientConfig, S3TestServer, startS3rver, S3_TEST_CREDENTIALS } from './harness/s3rver';
import { seedLogs } from './harness/seed';

const host = { imports: [TerminusModule], controllers: [HealthController] };
const PROBES = 20;

/** Every file under a directory (dot files and temp files included), with its size and mtime. */
async function snapshot(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files = await Promise.all(entries.map(async (e) => {
    const path = join(e.parentPath, e.name);
    const info = await stat(path);
    return `${path} ${info.size} ${info.mtimeMs}`;
  }));
  return [`${directory} ${(await stat(directory)).mtimeMs}`, ...files.sort()];
}

describe("the host's health: liveness and readiness", () => {
  describe('on a local volume', () => {
    const hooks = faultHooks();
    let db: TestDatabase;
    let app: ArchivalTestApp;
    const api = () => request(app.server as never);

    beforeAll(async () => {
      db = await createTestDatabase();
      await seedLogs(db.sql, { rows: 2_000, days: 200, now: FIXED_NOW });
      app = await createArchivalApp(db.url, { module: { maxRowsPerFile: 500 }, hooks, http: true, host });
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('after a failed run, /health stays 200 and /health/ready names the failed job in its body', async () => {
      let verified = 0;
      hooks.afterVerify = () => {
        // The first part is purged (its archive stays on the volume), then the run fails.
        if (++verified === 2) throw new Error('the store went away mid-run');
      };
      await expect(app.archival.run('log-archival')).rejects.toThrow('the store went away mid-run');
      const [run] = await app.catalog.listRuns({ job: 'log-archival', limit: 1 });

      const live = await api().get('/health');
      expect(live.status).toBe(200);
      expect(live.body).toEqual({ status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } });

      const ready = await api().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details.storage).toMatchObject({ status: 'up', type: 'local', location: app.archiveDir });
      expect(ready.body.details.archival_jobs).toMatchObject({
        status: 'up', failed: [{ job: 'log-archival', runId: run.id, error: 'the store went away mid-run' }],
      });
    });

    it('a dry run (or a replica skipped by the job lock) after the failure does not hide it', async () => {
      const [failed] = await app.catalog.listRuns({ job: 'log-archival', limit: 1 });
      expect(await app.archival.run('log-archival', { dryRun: true })).toMatchObject({ status: 'succeeded', dryRun: true });
      const ready = await api().get('/health/ready');
      expect(ready.body.details.archival_jobs).toMatchObject({ failed: [{ job: 'log-archival', runId: failed.id }] });
    });

    it('a host that wants a failed run to page someone opts into down', async () => {
      const health = app.context.get(ArchivalHealthIndicator);
      const result = await health.lastRuns('archival_jobs', { downOnFailure: true });
      expect(result.archival_jobs).toMatchObject({ status: 'down', failed: [{ job: 'log-archival' }] });
    });

    it('the module imports no TerminusModule: a host without one gets no health services, and the indicators still answer', async () => {
      // The host above imports TerminusModule; this one does not, and the module must not bring it in.
      const bare = await createArchivalApp(db.url, { module: { maxRowsPerFile: 500 } });
      try {
        expect(() => bare.context.get(HealthCheckService, { strict: false })).toThrow(/HealthCheckService/);
        expect(() => bare.context.get(HealthIndicatorService, { strict: false })).toThrow(/HealthIndicatorService/);
        const health = bare.context.get(ArchivalHealthIndicator);
        expect(await health.storageReachable('storage')).toEqual({
          storage: { status: 'up', type: 'local', location: bare.archiveDir, checkedAt: expect.any(String) },
        });
        expect((await health.lastRuns('archival_jobs', { downOnFailure: true })).archival_jobs).toMatchObject({ status: 'down', failed: [{ job: 'log-archival' }] });
      } finally {
        await bare.close();
      }
      // And in the host that has one, terminus reads the module's results as its own.
      expect((await api().get('/health/ready')).body.details.storage).toMatchObject({ status: 'up', type: 'local' });
    });

    it('readiness probes write nothing on the volume', async () => {
      const before = await snapshot(app.archiveDir);
      expect(before.length).toBeGreaterThan(1);
      for (let i = 0; i < PROBES; i++) expect((await api().get('/health/ready')).status).toBe(200);
      // Uncached, every check probes the store: still nothing written.
      const health = app.context.get(ArchivalHealthIndicator);
      for (let i = 0; i < 5; i++) expect((await health.storageReachable('storage', { ttlMs: 0 })).storage.status).toBe('up');
      expect(await snapshot(app.archiveDir)).toEqual(before);
    });
  });

  describe('on S3 (s3rver)', () => {
    const PREFIX = 'health/archives';
    let db: TestDatabase;
    let server: S3TestServer;
    let app: ArchivalTestApp;
    let client: S3Client;
    let inspect: S3Client;
    const commands: string[] = [];
    const api = () => request(app.server as never);
    const objects = async () => (await inspect.send(new ListObjectsV2Command({ Bucket: server.bucket }))).Contents?.map((o) => o.Key) ?? [];

    beforeAll(async () => {
      [db, server] = await Promise.all([createTestDatabase(), startS3rver()]);
      await seedLogs(db.sql, { rows: 1_000, days: 200, now: FIXED_NOW });
      inspect = new S3Client(s3TestClientConfig(server));
      // The module's own client, with every request it sends named: the store is real, only watched.
      client = new S3Client(s3TestClientConfig(server));
      client.middlewareStack.add((next, context) => (args) => {
        commands.push(context.commandName as string);
        return next(args);
      }, { step: 'initialize', name: 'recordCommands' });
      const storage: S3StorageOptions = {
        type: 's3', bucket: server.bucket, prefix: PREFIX, region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, ...S3_TEST_CREDENTIALS,
      };
      app = await createArchivalApp(db.url, { module: { storage }, http: true, configure: (builder) => builder.overrideProvider(STORAGE_PROVIDER).useValue(new S3StorageProvider(storage, client)), host });
      await app.archival.run('log-archival'); // archives in the bucket, so "nothing changed" means something
      expect(await objects()).not.toEqual([]);
    });
    afterAll(async () => {
      await app?.close();
      client?.destroy();
      inspect?.destroy();
      await server?.close();
      await db?.drop();
    });

    it('a burst of readiness probes within the TTL sends one read-only request, and probes write nothing', async () => {
      const before = await objects();
      commands.length = 0;
      const probes = await Promise.all(Array.from({ length: PROBES }, () => api().get('/health/ready')));
      expect(probes.map((p) => p.status)).toEqual(Array(PROBES).fill(200));
      expect(probes[0].body.details.storage).toMatchObject({ status: 'up', type: 's3', location: `s3://${server.bucket}/${PREFIX}` });
      expect(commands).toEqual(['ListObjectsV2Command']);
      const health = app.context.get(ArchivalHealthIndicator);
      for (let i = 0; i < 5; i++) expect((await health.storageReachable('storage', { ttlMs: 0 })).storage.status).toBe('up');
      expect(commands).toEqual(Array(6).fill('ListObjectsV2Command'));
      expect(await objects()).toEqual(before);
    });

    it('readiness names a missing bucket', async () => {
      const missing = new S3StorageProvider({
        type: 's3', bucket: 'no-such-bucket', prefix: PREFIX, region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, ...S3_TEST_CREDENTIALS,
      });
      try {
        await expect(missing.probe()).rejects.toThrow(/listing s3:\/\/no-such-bucket\/health\/archives failed: the bucket no-such-bucket does not exist/);
      } finally {
        missing.onApplicationShutdown();
      }
    });
  });
});
