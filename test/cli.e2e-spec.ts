import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { s3TestClientConfig, startS3rver, S3_TEST_CREDENTIALS } from './harness/s3rver';
import { cli } from './harness/cli';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, counts, RUN_TRACES } from './harness/seed';
import { NOW_SQL } from './harness/clock';

describe('the archival CLI', () => {
  let db: TestDatabase;
  let archiveDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    archiveDir = await mkdtemp(join(tmpdir(), 'archival-cli-'));
    env = { DATABASE_URL: db.url, ARCHIVAL_PATH: archiveDir, ARCHIVAL_COMPRESSION: 'gzip' };
    await db.sql.query(
      `INSERT INTO flow_execution_logs (level, message, created_at)
       SELECT 'info', 'old ' || i, ${NOW_SQL} - interval '200 days' + i * interval '1 minute' FROM generate_series(1, 3000) i
       UNION ALL
       SELECT 'info', 'new ' || i, ${NOW_SQL} - interval '10 days' + i * interval '1 minute' FROM generate_series(1, 2000) i`,
    );
  });
  afterAll(async () => {
    await db?.drop();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it('migrate is idempotent and says so', async () => {
    const result = await cli(['migrate', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({ applied: [], pending: false });
  });

  it('run --dry-run reports what it would do and changes nothing', async () => {
    const result = await cli(['run', 'log-archival', '--dry-run', '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({ job: 'log-archival', status: 'succeeded', dryRun: true, rows: 3000, archives: 0 });
    expect(report.tables[0].plan.length).toBeGreaterThan(0);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(5000);
    expect(await readdir(archiveDir)).toEqual([]);
  });

  it('run archives and purges exactly the old rows and prints where they went', async () => {
    const result = await cli(['run', 'log-archival'], env);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^log-archival: succeeded, archived 3000 rows in \d+ archives/);
    expect(result.out).toMatch(/public\.flow_execution_logs\/year=\d{4}\/month=\d{2}\/flow_execution_logs_/);
    // Where ARCHIVAL_PATH says, compressed as ARCHIVAL_COMPRESSION says.
    const files = (await readdir(join(archiveDir, 'public.flow_execution_logs'), { recursive: true })) as string[];
    expect(files.filter((f) => f.endsWith('.jsonl.gz')).length).toBeGreaterThan(0);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(2000);
    expect(await count(db.sql, 'flow_execution_logs', `message LIKE 'old%'`)).toBe(0);
  });

  it('archives lists the catalog, as JSON or a table', async () => {
    const listed = JSON.parse((await cli(['archives', '--json', '--table=flow_execution_logs'], env)).out);
    expect(listed.reduce((sum: number, a: { rowCount: number }) => sum + a.rowCount, 0)).toBe(3000);
    expect(listed.every((a: { status: string }) => a.status === 'purged')).toBe(true);
    const table = await cli(['archives'], env);
    expect(table.out.split('\n')[0]).toMatch(/^id\s+table\s+window\s+part\s+status\s+rows\s+bytes\s+path$/);
  });

  it('jobs shows schedule, retention and the last run', async () => {
    const jobs = JSON.parse((await cli(['jobs', '--json'], env)).out);
    expect(jobs).toEqual([
      expect.objectContaining({ name: 'log-archival', enabled: true, cron: '0 2 1 * *', retentionDays: 90,
        tables: ['flow_execution_logs'], lastRun: expect.objectContaining({ status: 'succeeded', trigger: 'cli' }) }),
      expect.objectContaining({ name: 'session-archival', retentionDays: 90,
        tables: ['flow_execution_sessions', 'flow_execution_deltas'], lastRun: null }),
      expect.objectContaining({ name: 'call-archival', retentionDays: 365, tables: ['call_sessions', 'call_events'] }),
      expect.objectContaining({ name: 'memory-cleanup', cron: '0 2 * * *', tables: ['memory_chunks'] }),
    ]);
  });

  it('fails with a non-zero exit code and a clear message', async () => {
    const unknown = await cli(['run', 'nightly-magic'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('Unknown archival job "nightly-magic". Known jobs: log-archival, session-archival, call-archival, memory-cleanup');
    const badEnv = await cli(['jobs'], { ...env, ARCHIVAL_COMPRESSION: 'rar' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.err).toContain('ARCHIVAL_COMPRESSION="rar": expected one of gzip, zstd, none');
    expect((await cli(['frobnicate'], env)).code).toBe(2);
  });

  it.each([
    [['archives', '--from', '2025-13-01'], /--from 2025-13-01: expected a date/],
    [['archives', '--from', '2025-03-01', '--to', '2025-01-01'], /--from 2025-03-01 is after --to 2025-01-01/],
    [['verify', '--archive', 'abc'], /--archive abc: expected an archive id/],
    [['runs', '--limit', '0'], /--limit 0: expected a whole number from 1/],
    [['runs', '--status', 'done'], /--status done: expected one of running, succeeded, failed, skipped/],
    [['restore', '--table', 'flow_execution_logs', '--conflict', 'merge'], /--conflict merge: expected one of skip, overwrite, fail/],
    [['restore', '--table', 'flow_execution_logs', '--from', '2025-03-01', '--to', '2025-01-01'], /is after/],
    [['restore', '--table', 'flow_execution_logs', '--to', '2025-01-01T25:00:00Z'], /--to 2025-01-01T25:00:00Z: expected a date/],
    [['restore', '--archive', '0'], /--archive 0: expected an archive id/],
    [['runs', '--limit', '1.5'], /--limit 1.5: expected a whole number from 1/],
    // A typo must never start a real run (it once archived and deleted 400,000 rows).
    [['run', 'log-archival', '--dryrun'], /unknown option '--dryrun'\n\(Did you mean --dry-run\?\)/],
    [['run', '--dryrun', 'log-archival'], /unknown option '--dryrun'/],
    [['--dry-run', 'run', 'log-archival'], /unknown option '--dry-run'/],
    [['archives', '--table', '--json'], /option '--table <table>' argument missing/],
    [['archives', '--table', '--from', '2025-01-01'], /--table needs a value \(got the flag --from\)/],
    [['archives', '--status', 'done'], /--status done: expected one of written, verified, purged, restored, superseded, failed/],
    [['run', 'log-archival', '--dry-run=false'], /unknown option '--dry-run=false'/],
    [['jobs', 'extra'], /jobs takes no argument\(s\), got "extra"/],
    [['run'], /missing required argument 'job'/],
    [['export', 'session-archival'], /missing required argument 'id'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['job'], /unknown command 'job'\n\(Did you mean jobs\?\)/],
  ])('bad usage %j exits 2, names the value, and starts no run', async (argv, named) => {
    const before = await counts(db.sql, [...RUN_TRACES, 'flow_execution_logs']);
    const result = await cli(argv, env);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(named);
    expect(await counts(db.sql, [...RUN_TRACES, 'flow_execution_logs'])).toEqual(before);
  });

  it.each([
    [['run', 'nightly-magic']],
    [['runs', '--job', 'nightly-magic']],
    [['export', 'nightly-magic', '1']],
  ])('an unknown job %j is not found: exits 1, names it, and starts no run', async (argv) => {
    const before = await counts(db.sql, [...RUN_TRACES, 'flow_execution_logs']);
    const result = await cli(argv, env);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/Unknown archival job "nightly-magic"/);
    expect(await counts(db.sql, [...RUN_TRACES, 'flow_execution_logs'])).toEqual(before);
  });

  it.each(['jobs', 'run', 'archives', 'runs', 'verify', 'restore', 'export', 'migrate'])('%s --help says how to use it, and runs nothing', async (command) => {
    const before = await counts(db.sql, RUN_TRACES);
    const result = await cli([command, '--help'], env);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`^Usage: archival ${command} `));
    expect(result.out).toContain('Global Options:\n  --json');
    expect(await counts(db.sql, RUN_TRACES)).toEqual(before);
  });

  it('takes --json before the command as well as after it', async () => {
    const result = await cli(['--json', 'runs', '--limit', '1'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toHaveLength(1);
  });

  it('takes ISO-8601 timestamps where it takes dates', async () => {
    const result = await cli(['archives', '--json', '--from', '2000-01-01T00:00:00Z', '--to', '2999-01-01T00:00:00+02:00'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).length).toBeGreaterThan(0);
  });

  it('archives to S3 configured by env alone (ARCHIVAL_PATH=s3://..., endpoint, keys, encryption)', async () => {
    const server = await startS3rver('cli-archives');
    const s3 = new S3Client(s3TestClientConfig(server));
    try {
      await db.sql.query(
        `INSERT INTO flow_execution_logs (level, message, created_at)
         SELECT 'info', 's3 ' || i, ${NOW_SQL} - interval '300 days' + i * interval '1 minute' FROM generate_series(1, 500) i`,
      );
      const s3Env = {
        ...env, ARCHIVAL_STORAGE_TYPE: 's3', ARCHIVAL_PATH: 's3://cli-archives/team/api', ARCHIVAL_S3_ENDPOINT: server.endpoint,
        ARCHIVAL_S3_FORCE_PATH_STYLE: 'true', ARCHIVAL_S3_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
        ARCHIVAL_S3_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey, ARCHIVAL_FORMAT: 'parquet',
        ARCHIVAL_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      };
      const result = await cli(['run', 'log-archival', '--json'], s3Env);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.out)).toMatchObject({ status: 'succeeded', rows: 500 });
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'cli-archives', Prefix: 'team/api/public.flow_execution_logs/' }));
      expect((listed.Contents ?? []).some((o) => o.Key!.endsWith('.parquet.enc'))).toBe(true);
      expect(await count(db.sql, 'flow_execution_logs', `message LIKE 's3 %'`)).toBe(0);
    } finally {
      s3.destroy();
      await server.close();
    }
  });
});
