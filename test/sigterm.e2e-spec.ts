import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/archival-cli';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';
import { NOW_SQL } from './harness/clock';
import { spawnCli } from './harness/cli-process';

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
