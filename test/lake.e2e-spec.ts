/**
 * Issue 15's lake, queried with DuckDB where the archives lie: Hive
 * partitions match each row's time column, and the SQL `archival lake`
 * prints runs as printed (Parquet and JSON Lines) and counts what the
 * catalog holds. Restore and supersede: superseded-archives.e2e-spec.ts.
 */
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { cli } from './harness/cli';
import { createTestDatabase, TestDatabase } from './harness/database';
import { DuckDb, openDuckDb } from './harness/duckdb';
import { catalogLive, closeLake, openArchivedLake } from './harness/lake-world';
import { seedLogs } from './harness/seed';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { RestoreService } from '../src/archival/restore/restore.service';
import { LakeService } from '../src/archival/lake/lake.service';
import { s3TestClientConfig, S3TestServer, startS3rver, S3_TEST_CREDENTIALS } from './harness/s3rver';

const LOGS = 'flow_execution_logs';

async function runLakeSql(duck: DuckDb, db: TestDatabase, app: ArchivalTestApp, table: string): Promise<number> {
  const result = await cli(['lake', table], { DATABASE_URL: db.url, ARCHIVAL_PATH: app.archiveDir });
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  // As printed: the whole output, comments and the Athena statement aside, goes to DuckDB.
  const duckdbPart = result.out.split('\n-- Athena')[0];
  await duck.run(duckdbPart);
  const [{ n }] = await duck.rows<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
  return Number(n);
}

describe('the archives as a lake, with DuckDB (Parquet, with children)', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  let duck: DuckDb;

  beforeAll(async () => {
    ({ db, app, duck } = await openArchivedLake());
  });
  afterAll(() => closeLake({ db, app, duck }));

  it("sees year and month from the Hive folders, matching each row's created_at", async () => {
    const glob = `${app.archiveDir}/public.${LOGS}/**/*.parquet`;
    const [check] = await duck.rows<{ rows: string; mismatched: string }>(
      `SELECT count(*) AS rows,
              count(*) FILTER (WHERE year <> year(created_at::TIMESTAMPTZ) OR month <> month(created_at::TIMESTAMPTZ)) AS mismatched
         FROM read_parquet('${glob}', hive_partitioning = true)`,
    );
    expect(Number(check.rows)).toBe((await catalogLive(db, LOGS)).rows);
    expect(Number(check.rows)).toBeGreaterThan(5_000);
    expect(Number(check.mismatched)).toBe(0);
  });

  it('runs the DuckDB SQL `archival lake` prints, as printed, and counts what the catalog holds', async () => {
    expect(await runLakeSql(duck, db, app, LOGS)).toBe((await catalogLive(db, LOGS)).rows);
    expect(await runLakeSql(duck, db, app, 'flow_execution_deltas')).toBe((await catalogLive(db, 'flow_execution_deltas')).rows);
  });

  it('after a restore and the next run, the printed view counts each row once, as the catalog does', async () => {
    const [archive] = await app.catalog.listArchives({ table: LOGS, status: 'purged', limit: 1 });
    await app.context.get(RestoreService).restore({ archiveId: archive.id }, 'cli');
    expect(await runLakeSql(duck, db, app, LOGS)).toBe((await catalogLive(db, LOGS)).rows);
    expect((await app.archival.run('log-archival')).status).toBe('succeeded');
    const live = (await catalogLive(db, LOGS)).rows;
    expect(await runLakeSql(duck, db, app, LOGS)).toBe(live);
    const [{ ids }] = await duck.rows<{ ids: string }>(`SELECT count(DISTINCT id) AS ids FROM "${LOGS}"`);
    expect(Number(ids)).toBe(live);
  });

  it('prints an Athena table with partition projection, and refuses a table it does not know', async () => {
    const result = await cli(['lake', LOGS, '--json'], { DATABASE_URL: db.url, ARCHIVAL_PATH: app.archiveDir });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report.athena).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS `flow_execution_logs` (');
    expect(report.athena).toContain('`id` bigint');
    expect(report.athena).toContain("'projection.month.range' = '1,12'");
    expect(report.athena).toContain('STORED AS PARQUET');
    const unknown = await cli(['lake', 'no_such_table'], { DATABASE_URL: db.url, ARCHIVAL_PATH: app.archiveDir });
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('table no_such_table not found');
    const malformed = await cli(['lake', 'bad;name'], { DATABASE_URL: db.url, ARCHIVAL_PATH: app.archiveDir });
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain('bad;name');
  });

});

describe('the archives as a lake, with DuckDB (JSON Lines)', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  let duck: DuckDb;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { format: 'json', compression: 'gzip', maxRowsPerFile: 4_000 } });
    duck = await openDuckDb();
    await seedLogs(db.sql, { rows: 8_000, days: 200, now: FIXED_NOW });
    expect((await app.archival.run('log-archival')).status).toBe('succeeded');
  });
  afterAll(async () => {
    duck?.close();
    await app?.close();
    await db?.drop();
  });

  it('runs the printed DuckDB SQL over JSON Lines with typed columns and Hive partitions', async () => {
    expect(await runLakeSql(duck, db, app, LOGS)).toBe((await catalogLive(db, LOGS)).rows);
    const types = await duck.rows<{ column_name: string; column_type: string }>(`DESCRIBE "${LOGS}"`);
    const typeOf = Object.fromEntries(types.map((t) => [t.column_name, t.column_type]));
    expect(typeOf).toMatchObject({ id: 'BIGINT', session_id: 'UUID', created_at: 'TIMESTAMP WITH TIME ZONE', data: 'JSON', year: 'INTEGER', month: 'INTEGER' });
    const [check] = await duck.rows<{ mismatched: string }>(
      `SELECT count(*) FILTER (WHERE year <> year(created_at) OR month <> month(created_at)) AS mismatched FROM "${LOGS}"`,
    );
    expect(Number(check.mismatched)).toBe(0);
  });
});

describe('the archives as a lake on S3 (s3rver)', () => {
  let db: TestDatabase;
  let server: S3TestServer;
  let s3: S3Client;
  let app: ArchivalTestApp;
  const PREFIX = 'lake/archives';

  beforeAll(async () => {
    [db, server] = await Promise.all([createTestDatabase(), startS3rver()]);
    s3 = new S3Client(s3TestClientConfig(server));
    app = await createArchivalApp(db.url, {
      module: {
        storage: { type: 's3', bucket: server.bucket, prefix: PREFIX, region: 'us-east-1', endpoint: server.endpoint, ...S3_TEST_CREDENTIALS, forcePathStyle: true },
        format: 'parquet', compression: 'zstd', maxRowsPerFile: 3_000,
      },
    });
    await seedLogs(db.sql, { rows: 6_000, days: 200, now: FIXED_NOW });
    expect((await app.archival.run('log-archival')).status).toBe('succeeded');
  });
  afterAll(async () => {
    await app?.close();
    s3?.destroy();
    await server?.close();
    await db?.drop();
  });

  const keys = async () =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: `${PREFIX}/` }))).Contents ?? []).map((o) => o.Key!.slice(PREFIX.length + 1));

  it('names s3:// URLs for DuckDB and an Athena LOCATION in the bucket; a superseded object leaves the bucket folder', async () => {
    const report = await app.context.get(LakeService).lake(LOGS);
    const live = await app.catalog.listArchives({ table: LOGS, status: 'purged' });
    expect(report.files.map((f) => f.url)).toEqual(live.map((a) => `s3://${server.bucket}/${PREFIX}/${a.archivePath}`));
    expect(report.duckdb).toContain('INSTALL httpfs');
    expect(report.athena).toContain(`LOCATION 's3://${server.bucket}/${PREFIX}/public.flow_execution_logs/'`);
    expect(report.athena).not.toContain('Athena reads S3 only');

    const [archive] = live;
    await app.context.get(RestoreService).restore({ archiveId: archive.id }, 'cli');
    expect((await app.archival.run('log-archival')).status).toBe('succeeded');
    expect(await app.catalog.findArchive(archive.id)).toMatchObject({ status: 'superseded' });
    const stored = await keys();
    expect(stored).not.toContain(archive.archivePath);
    expect(stored).toContain(archive.manifestPath);
    const after = await app.context.get(LakeService).lake(LOGS);
    expect(after.files.map((f) => f.url)).not.toContain(`s3://${server.bucket}/${PREFIX}/${archive.archivePath}`);
    expect(after.rows).toBe((await catalogLive(db, LOGS)).rows);
  });
});
