import { FaultPoint } from '../src/archival/engine/archival-hooks';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { expectConverged } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { s3TestClientConfig, S3TestServer, startS3rver, S3_TEST_CREDENTIALS } from './harness/s3rver';
import { count } from './harness/seed';
import { NOW_SQL } from './harness/clock';
import { runCliProcess } from './harness/cli-process';
import { until } from './harness/poll';
import { Client } from 'pg';

/** Runs `archival run <job>` in its own process with ARCHIVAL_TEST_KILL_AT; resolves with how it ended. */
async function runKilled(job: string, point: FaultPoint, env: NodeJS.ProcessEnv, sql: Client): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  const { signal, stdout, stderr } = await runCliProcess(['run', job], { ...env, ARCHIVAL_TEST_KILL_AT: point });
  // The server ends a killed client's sessions (and frees its job lock) once it sees the closed socket: wait for that.
  await until(
    async () => (await sql.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rows[0].n,
    (held) => held === 0, 'the killed run to release its job lock',
  );
  return { signal, output: stdout + stderr };
}

describe('SIGKILL at every named point of the loop, then a rerun', () => {
  describe('session-archival (parents and children) on local storage', () => {
    let db: TestDatabase;
    let app: ArchivalTestApp;
    let env: NodeJS.ProcessEnv;
    const TABLES = ['flow_execution_sessions', 'flow_execution_deltas'];

    beforeAll(async () => {
      db = await createTestDatabase();
      app = await createArchivalApp(db.url, { module: { maxRowsPerFile: 200 } });
      env = { DATABASE_URL: db.url, ARCHIVAL_PATH: app.archiveDir, ARCHIVAL_MAX_ROWS_PER_FILE: '200', ARCHIVAL_COMPRESSION: 'zstd' };
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it.each(['after-write', 'after-catalog-insert', 'after-verify', 'mid-delete'] as FaultPoint[])('killed %s', async (point) => {
      const { sql } = db;
      await sql.query(`TRUNCATE flow_execution_deltas, flow_execution_sessions, archived_partitions CASCADE`);
      await sql.query(
        `INSERT INTO flow_execution_sessions (id, status, history, created_at)
         SELECT gen_random_uuid(), 'completed', jsonb_build_array(i), ${NOW_SQL} - interval '200 days' + i * interval '2 hours' FROM generate_series(1, 600) i`,
      );
      await sql.query(`INSERT INTO flow_execution_deltas (session_id, seq) SELECT s.id, d FROM flow_execution_sessions s, generate_series(1, 3) d`);
      for (const table of TABLES) await sql.query(`DROP TABLE IF EXISTS ${table}_original; CREATE TABLE ${table}_original AS SELECT * FROM ${table}`);

      const killed = await runKilled('session-archival', point, env, sql);
      expect({ signal: killed.signal, output: killed.output.slice(-500) }).toMatchObject({ signal: 'SIGKILL' });
      // Each point is the first of its kind: no purge can have committed yet, so every row is still there.
      expect(await count(sql, 'flow_execution_sessions')).toBe(600);
      expect(await count(sql, 'flow_execution_deltas')).toBe(1800);

      const [killedRun] = await app.catalog.listRuns({ job: 'session-archival', status: 'running' });
      const rerun = await app.archival.run('session-archival');
      expect(rerun.status).toBe('succeeded');
      expect(await count(sql, 'flow_execution_sessions', `created_at < ${NOW_SQL} - interval '90 days'`)).toBe(0);
      await expectConverged(db, app, TABLES);
      // The killed run's record does not stay "running": the run that took the job's lock marked it abandoned.
      expect(await app.catalog.findRun(killedRun.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^abandoned: its process stopped/) });
    });
  });

  describe('log-archival on S3 (s3rver)', () => {
    let db: TestDatabase;
    let server: S3TestServer;
    let app: ArchivalTestApp;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      [db, server] = await Promise.all([createTestDatabase(), startS3rver()]);
      const storage = {
        type: 's3' as const, bucket: server.bucket, prefix: 'kill', region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true,
        ...S3_TEST_CREDENTIALS,
      };
      app = await createArchivalApp(db.url, { module: { storage, compression: 'none', maxRowsPerFile: 60_000 } });
      expect(s3TestClientConfig(server).forcePathStyle).toBe(true);
      env = {
        DATABASE_URL: db.url, ARCHIVAL_PATH: `s3://${server.bucket}/kill`, ARCHIVAL_S3_ENDPOINT: server.endpoint, ARCHIVAL_S3_FORCE_PATH_STYLE: 'true',
        ARCHIVAL_S3_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId, ARCHIVAL_S3_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
        ARCHIVAL_COMPRESSION: 'none', ARCHIVAL_MAX_ROWS_PER_FILE: '60000',
      };
    });
    afterAll(async () => {
      await app?.close();
      await server?.close();
      await db?.drop();
    });

    it.each(['mid-multipart', 'mid-delete'] as FaultPoint[])('killed %s', async (point) => {
      const { sql } = db;
      await sql.query(`TRUNCATE flow_execution_logs, archived_partitions CASCADE`);
      // ~20 MB per 60k-row part: several 8 MiB multipart parts.
      await sql.query(
        `INSERT INTO flow_execution_logs (level, message, created_at)
         SELECT 'info', repeat(md5(i::text), 10), ${NOW_SQL} - interval '300 days' + i * interval '20 seconds' FROM generate_series(1, 100000) i`,
      );
      await sql.query(`DROP TABLE IF EXISTS flow_execution_logs_original; CREATE TABLE flow_execution_logs_original AS SELECT * FROM flow_execution_logs`);

      const killed = await runKilled('log-archival', point, env, sql);
      expect({ signal: killed.signal, output: killed.output.slice(-500) }).toMatchObject({ signal: 'SIGKILL' });
      // Killed during the first upload, or inside the first purge (which rolls back): nothing is gone.
      expect(await count(sql, 'flow_execution_logs')).toBe(100_000);

      const rerun = await app.archival.run('log-archival');
      expect(rerun.status).toBe('succeeded');
      expect(await count(sql, 'flow_execution_logs')).toBe(0);
      await expectConverged(db, app, ['flow_execution_logs']);
    });
  });
});
