import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliProcess } from './harness/cli-process';
import { createTestDatabase, TestDatabase } from './harness/database';
import { freePort } from './harness/free-port';
import { seedLogs } from './harness/seed';

/**
 * The exit codes of the real `archival` process: 0 done, 1 the work failed,
 * 2 bad usage. Also when the CLI starts the embedded PostgreSQL itself, whose
 * exit hook calls process.exit(0) and so used to turn every failure into 0.
 */
describe.each([
  ['with DATABASE_URL', true],
  ['without DATABASE_URL (the CLI starts the embedded PostgreSQL)', false],
])('archival exit codes %s', (_name, withDatabaseUrl) => {
  let db: TestDatabase | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const archival = (...args: string[]) => runCliProcess(args, env);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'archival-exit-codes-'));
    await chmod(dir, 0o755); // as root, the embedded server runs as `postgres` and must reach its data
    env = { ARCHIVAL_PATH: join(dir, 'archives'), ARCHIVAL_COMPRESSION: 'gzip' };
    if (withDatabaseUrl) {
      db = await createTestDatabase();
      env.DATABASE_URL = db.url;
      await seedLogs(db.sql, { rows: 2_000, days: 200 });
    } else {
      Object.assign(env, { ARCHIVAL_DEMO_DATA_DIR: join(dir, 'data'), ARCHIVAL_DEMO_PG_PORT: String(await freePort()) });
      // The demo's own seed places rows relative to the database's clock; so does the CLI without a test clock.
      env.ARCHIVAL_TEST_NOW = undefined;
      const seeded = await runCliProcess(['--logs', '2000'], env, 'src/demo/seed.ts');
      expect(seeded).toMatchObject({ code: 0 });
    }
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('an unknown job is not found: exit 1, naming it (REST answers 404)', async () => {
    const result = await archival('run', 'no-such-job');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown archival job "no-such-job"');
  });

  it('a malformed date flag is bad usage: exit 2, naming the value, and no SQL is run', async () => {
    const result = await archival('archives', '--from', '2025-13-01');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--from 2025-13-01: expected a date YYYY-MM-DD');
    expect(result.stderr).not.toMatch(/QueryFailedError|SELECT/);
  });

  it('a run that succeeds exits 0; verify over a corrupted archive exits 1 and names it', async () => {
    const run = await archival('run', 'log-archival', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded' });
    expect((await archival('verify')).code).toBe(0);

    const folder = join(dir, 'archives', 'public.flow_execution_logs');
    const file = ((await readdir(folder, { recursive: true })) as string[]).find((name) => name.endsWith('.jsonl.gz'))!;
    const bytes = await readFile(join(folder, file));
    bytes[Math.floor(bytes.length / 2)] ^= 0x40;
    await writeFile(join(folder, file), bytes);

    const verify = await archival('verify');
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(file);
  });
});
