import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { Client } from 'pg';
import { stopStaleServer } from '../src/demo/embedded-postgres';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/archival-cli';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';
import { NOW_SQL } from './harness/clock';
import { runCliProcess, spawnCli } from './harness/cli-process';
import { freePort } from './harness/free-port';
import { until } from './harness/poll';

describe('SIGTERM in the middle of a large run', () => {
  let db: TestDatabase;
  let archiveDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    archiveDir = await mkdtemp(join(tmpdir(), 'archival-sigterm-'));
    env = {
      DATABASE_URL: db.url,
      ARCHIVAL_PATH: archiveDir,
      ARCHIVAL_BATCH_SIZE: '500',
      ARCHIVAL_MAX_ROWS_PER_FILE: '5000',
      ARCHIVAL_SLEEP_BETWEEN_BATCHES_MS: '20',
    };
    await db.sql.query(
      `INSERT INTO flow_execution_logs (level, message, created_at)
       SELECT 'info', 'row ' || i, ${NOW_SQL} - interval '300 days' + i * interval '1 minute' FROM generate_series(1, 150000) i`,
    );
    await db.sql.query(`CREATE TABLE original AS SELECT id FROM flow_execution_logs`);
  });
  afterAll(async () => {
    await db?.drop();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it('exits within 10 s, loses no row, and the next run finishes the job', async () => {
    const cli = spawnCli(['run', 'log-archival'], env);
    const { child } = cli;
    const output = () => cli.output();

    // Wait until the run has purged at least one part, then stop it.
    const deadline = Date.now() + 60_000;
    while ((await count(db.sql, 'archived_partitions', `status = 'purged'`)) === 0) {
      if (Date.now() > deadline) throw new Error(`the run never purged a part:\n${output()}`);
      if (child.exitCode !== null) throw new Error(`the run ended too early:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const signalled = Date.now();
    child.kill('SIGTERM');
    const { code } = await cli.exited;
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(code).toBe(1);
    expect(output()).toContain('stopping at the next safe point');

    // Nothing lost: every original row is in the table or in exactly one purged archive.
    const purged = await count(db.sql, 'archived_partitions', `status = 'purged'`);
    expect(purged).toBeGreaterThan(0);
    const { rows } = await db.sql.query(`SELECT coalesce(sum(row_count), 0)::int AS n FROM archived_partitions WHERE status = 'purged'`);
    expect((await count(db.sql, 'flow_execution_logs')) + rows[0].n).toBe(150_000);
    expect(await count(db.sql, 'flow_execution_logs', `created_at < ${NOW_SQL} - interval '90 days'`)).toBeGreaterThan(0);

    const out: string[] = [];
    const again = await runCli(['run', 'log-archival', '--json'], env, { out: (t) => out.push(t), err: (t) => out.push(t) });
    expect(again).toBe(0);
    expect(await count(db.sql, 'flow_execution_logs', `created_at < ${NOW_SQL} - interval '90 days' - interval '1 minute'`)).toBe(0);
    const total = await db.sql.query(`SELECT coalesce(sum(row_count), 0)::int AS n FROM archived_partitions WHERE status = 'purged'`);
    expect((await count(db.sql, 'flow_execution_logs')) + total.rows[0].n).toBe(150_000);
  });
});

describe('SIGTERM to a CLI run on the embedded PostgreSQL it started itself', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'archival-sigterm-embedded-'));
    await chmod(dir, 0o755); // as root, the server runs as `postgres` and must reach its data
    env = {
      ARCHIVAL_DEMO_DATA_DIR: join(dir, 'data'), ARCHIVAL_DEMO_PG_PORT: String(await freePort()), ARCHIVAL_PATH: join(dir, 'archives'),
      ARCHIVAL_BATCH_SIZE: '500', ARCHIVAL_MAX_ROWS_PER_FILE: '5000', ARCHIVAL_SLEEP_BETWEEN_BATCHES_MS: '20',
      // The demo's seed places rows relative to the database's clock; so does the CLI without a test clock.
      ARCHIVAL_TEST_NOW: undefined,
    };
    expect(await runCliProcess(['--logs', '150000'], env, 'src/demo/seed.ts')).toMatchObject({ code: 0 });
  });
  afterAll(async () => {
    await stopStaleServer(join(dir, 'data', 'postgres'));
    await rm(dir, { recursive: true, force: true });
  });

  it('stops the job before the database: the run is recorded failed, not left running, and the next run finishes', async () => {
    const cli = spawnCli(['run', 'log-archival'], env);
    const url = `postgres://postgres:postgres@127.0.0.1:${env.ARCHIVAL_DEMO_PG_PORT}/archival_demo`;
    await until(async () => {
      if (cli.child.exitCode !== null) throw new Error(`the run ended too early:\n${cli.output()}`);
      const sql = new Client({ connectionString: url });
      try {
        await sql.connect();
        return Number((await sql.query(`SELECT count(*) FROM archived_partitions WHERE status = 'purged'`)).rows[0].count);
      } catch {
        return 0; // the CLI is still starting the server
      } finally {
        await sql.end().catch(() => undefined);
      }
    }, (purged) => purged > 0, 'a purged part', 60_000);
    cli.child.kill('SIGTERM');
    const { code } = await cli.exited;
    expect(code).toBe(1);
    expect(cli.output()).toContain('stopping at the next safe point');
    expect(existsSync(join(dir, 'data', 'postgres', 'postmaster.pid'))).toBe(false);

    const runs = await runCliProcess(['runs', '--job', 'log-archival', '--json'], env);
    expect(JSON.parse(runs.stdout)[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('shutting down') });
    expect((await runCliProcess(['run', 'log-archival'], env)).code).toBe(0);
    expect((await runCliProcess(['verify'], env)).code).toBe(0);
  });
});
