import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createServer, Socket } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { S3StorageOptions } from '../src/archival/archival-options';
import { S3StorageProvider } from '../src/archival/storage/s3.storage';
import { STORAGE_PROVIDER, StorageProvider } from '../src/archival/storage/storage-provider.interface';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { restoreArchive, rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { s3TestClientConfig, S3TestServer, startS3rver, S3_TEST_CREDENTIALS } from './harness/s3rver';
import { count } from './harness/seed';
import { daysAgo } from './harness/clock';

const PREFIX = 'prod/archives';

describe('archives on S3 (s3rver)', () => {
  let db: TestDatabase;
  let server: S3TestServer;
  let s3: S3Client;
  const s3Storage = (overrides: Partial<S3StorageOptions> = {}): S3StorageOptions => ({
    type: 's3', bucket: server.bucket, prefix: PREFIX, region: 'us-east-1', endpoint: server.endpoint,
    ...S3_TEST_CREDENTIALS, forcePathStyle: true, ...overrides,
  });
  const objects = async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: `${PREFIX}/` }));
    return new Map((listed.Contents ?? []).map((o) => [o.Key!.slice(PREFIX.length + 1), o.Size]));
  };
  const objectSha = async (key: string) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: server.bucket, Key: `${PREFIX}/${key}` }));
    return createHash('sha256').update(await object.Body!.transformToByteArray()).digest('hex');
  };

  beforeAll(async () => {
    [db, server] = await Promise.all([createTestDatabase(), startS3rver()]);
    s3 = new S3Client(s3TestClientConfig(server));
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.close();
    await db?.drop();
  });

  it('runs the log job end to end: archives and manifests under the prefix, checksums in the catalog, rows purged after read-back', async () => {
    const { sql } = db;
    await sql.query(
      `INSERT INTO flow_execution_logs (level, message, created_at)
       SELECT 'info', 'line ' || i, $1::timestamptz + i * interval '5 minutes' FROM generate_series(1, 30000) i`,
      [daysAgo(200)],
    );
    await sql.query(`CREATE TABLE before AS SELECT * FROM flow_execution_logs`);
    const app = await createArchivalApp(db.url, { module: { storage: s3Storage(), compression: 'zstd', maxRowsPerFile: 8000 } });
    try {
      const report = await app.archival.run('log-archival');
      expect(report.status).toBe('succeeded');
      const cutoff = report.tables[0].cutoff;
      expect(report.rows).toBe(await count(sql, 'before', `created_at < '${cutoff}'`));
      expect(await count(sql, 'flow_execution_logs', `created_at < '${cutoff}'`)).toBe(0);

      const stored = await objects();
      const archives = await app.catalog.listArchives({ table: 'flow_execution_logs' });
      expect(archives.length).toBeGreaterThan(3);
      await sql.query(`CREATE TABLE restored (LIKE flow_execution_logs)`);
      for (const archive of archives) {
        expect(archive).toMatchObject({ storage: 's3', status: 'purged', compression: 'zstd' });
        expect(archive.verifiedAt!.getTime()).toBeLessThanOrEqual(archive.purgedAt!.getTime());
        expect(stored.get(archive.archivePath)).toBe(archive.compressedSize);
        expect(stored.has(archive.manifestPath)).toBe(true);
        expect(await objectSha(archive.archivePath)).toBe(archive.sha256);
        await restoreArchive(app, sql, archive, 'restored');
      }
      await sql.query(`CREATE TABLE gone AS SELECT * FROM before b WHERE NOT EXISTS (SELECT 1 FROM flow_execution_logs l WHERE l.id = b.id)`);
      expect(await rowDifference(sql, 'gone', 'restored')).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('an upload that fails midway (the store goes down) deletes no row, records the archive failed, leaves no object; the next run succeeds', async () => {
    const { sql } = db;
    await sql.query(`TRUNCATE flow_execution_logs`);
    // ~30 MB uncompressed in one month: a multipart upload of several 8 MiB parts.
    await sql.query(
      `INSERT INTO flow_execution_logs (level, message, created_at)
       SELECT 'info', repeat(md5(i::text), 10), $1::timestamptz + i * interval '1 second' FROM generate_series(1, 80000) i`,
      [daysAgo(300)],
    );
    let outage = false;
    const app = await createArchivalApp(db.url, { module: { storage: s3Storage(), compression: 'none', maxRowsPerFile: 1_000_000 }, configure: (builder) => builder.overrideProvider(STORAGE_PROVIDER).useFactory({
        factory: () => outageAfter(new S3StorageProvider(s3Storage()), 12 * 1024 * 1024, () => {
          outage = true;
          void server.stop();
        }),
      }) });
    try {
      await expect(app.archival.run('log-archival')).rejects.toThrow(/uploading public\.flow_execution_logs\/year=\d{4}\/month=\d{2}\/.* failed/);
      expect(outage).toBe(true);
      expect(await count(sql, 'flow_execution_logs')).toBe(80000);
      const [failed] = await app.catalog.listArchives({ table: 'flow_execution_logs', status: 'failed' });
      expect(failed).toMatchObject({ rowCount: expect.any(Number), sha256: null });
      expect(failed.error).toMatch(/failed after \d+ rows: uploading .* failed: .*nothing was deleted/);

      await server.start();
      expect((await objects()).has(failed.archivePath)).toBe(false);
      const report = await app.archival.run('log-archival');
      expect(report).toMatchObject({ status: 'succeeded', rows: 80000 });
      expect(await count(sql, 'flow_execution_logs')).toBe(0);
      const purged = await app.catalog.listArchives({ table: 'flow_execution_logs', status: 'purged' });
      const largest = purged.reduce((a, b) => (a.compressedSize > b.compressedSize ? a : b));
      expect((await objects()).get(largest.archivePath)).toBe(largest.compressedSize);
      expect(largest.compressedSize).toBeGreaterThan(16 * 1024 * 1024);
    } finally {
      await server.start().catch(() => undefined);
      await app.close();
    }
  });

  it('a store that accepts connections and never answers fails the run within its deadline, deleting nothing', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => { // accepts, reads, never answers
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const app = await createArchivalApp(db.url, { module: { storage: s3Storage({ endpoint, requestTimeoutMs: 300 }) } });
    try {
      await db.sql.query(`INSERT INTO flow_execution_logs (level, message, created_at) VALUES ('info', 'frozen store', $1)`, [daysAgo(400)]);
      await expect(app.archival.run('log-archival')).rejects.toThrow(/did not answer in time/);
      expect(await count(db.sql, 'flow_execution_logs', `message = 'frozen store'`)).toBe(1);
    } finally {
      await app.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('names a missing bucket and bad credentials clearly, and never shows the secret', async () => {
    const missing = new S3StorageProvider(s3Storage({ bucket: 'no-such-bucket' }));
    await expect(missing.check()).rejects.toThrow(/bucket no-such-bucket does not exist/);
    missing.onApplicationShutdown();
    // s3rver knows one key pair; an unknown access key is refused like bad credentials on S3.
    const wrong = new S3StorageProvider(s3Storage({ accessKeyId: 'UNKNOWNKEY', secretAccessKey: 'not-the-secret-xyz' }));
    const error: Error = await wrong.check().then(() => undefined as never, (e: Error) => e);
    expect(error.message).toMatch(/access denied .*ARCHIVAL_S3_ACCESS_KEY_ID/);
    expect(error.message).not.toContain('not-the-secret-xyz');
    wrong.onApplicationShutdown();
    const app: ArchivalTestApp = await createArchivalApp(db.url, { module: { storage: s3Storage({ bucket: 'no-such-bucket' }) } });
    try {
      await db.sql.query(`INSERT INTO flow_execution_logs (level, message, created_at) VALUES ('info', 'x', $1)`, [daysAgo(400)]);
      await expect(app.archival.run('log-archival')).rejects.toThrow(/bucket no-such-bucket does not exist/);
      expect(await count(db.sql, 'flow_execution_logs', `message = 'x'`)).toBe(1);
    } finally {
      await app.close();
    }
  });
});

/** A storage provider whose first archive upload triggers `fail` once `bytes` have gone by (an outage mid-upload). */
function outageAfter(storage: StorageProvider, bytes: number, fail: () => void): StorageProvider {
  let fired = false;
  return Object.assign(Object.create(storage) as StorageProvider, {
    write(key: string, body: Readable) {
      if (fired || key.endsWith('.manifest.json')) return storage.write(key, body);
      let seen = 0;
      const watch = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          seen += chunk.length;
          if (seen > bytes && !fired) {
            fired = true;
            fail();
          }
          callback(null, chunk);
        },
      });
      body.on('error', (error) => watch.destroy(error));
      return storage.write(key, body.pipe(watch));
    },
  });
}
