/**
 * Issue 12: decrypted bytes never touch disk. Verify and restore of an
 * encrypted Parquet archive read it in memory; the real CLI runs with a
 * TMPDIR of its own, which must stay empty, also when the process is
 * SIGKILLed while it verifies. Spools that older versions left there are
 * removed at start-up.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliProcess } from './harness/cli-process';
import { daysAgo } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { rowDifference } from './harness/archives';
import { count } from './harness/seed';

const SECRET = 'patient-record-8812-confidential';

/** Every file and directory under `root`, and the files among them whose bytes contain SECRET. */
async function inspect(root: string): Promise<{ entries: string[]; withSecret: string[] }> {
  const entries: string[] = [];
  const withSecret: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    entries.push(path);
    if (entry.isFile() && (await readFile(path)).includes(SECRET)) withSecret.push(path);
  }
  return { entries, withSecret };
}

describe('encrypted Parquet archives are read in memory', () => {
  let db: TestDatabase;
  let scratch: string;
  let temp: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    scratch = await mkdtemp(join(tmpdir(), 'archival-plaintext-test-'));
    temp = join(scratch, 'tmp');
    await mkdir(temp);
    env = {
      DATABASE_URL: db.url, ARCHIVAL_PATH: join(scratch, 'archives'), ARCHIVAL_FORMAT: 'parquet', ARCHIVAL_COMPRESSION: 'none',
      ARCHIVAL_ENCRYPTION_KEY: randomBytes(32).toString('base64'), TMPDIR: temp,
    };
    await db.sql.query(
      `INSERT INTO flow_execution_logs (level, message, data, created_at)
       SELECT 'info', $2 || ' ' || i, jsonb_build_object('note', $2), $1::timestamptz + i * interval '1 minute' FROM generate_series(1, 3000) i`,
      [daysAgo(200), SECRET],
    );
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);
  });
  afterAll(async () => {
    await db?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('a run SIGKILLed while verifying leaves nothing in TMPDIR, and the next run converges', async () => {
    const killed = await runCliProcess(['run', 'log-archival'], { ...env, ARCHIVAL_TEST_KILL_AT: 'mid-verify' });
    expect({ signal: killed.signal, output: (killed.stdout + killed.stderr).slice(-500) }).toMatchObject({ signal: 'SIGKILL' });
    expect(await count(db.sql, 'archived_partitions', `status = 'written'`)).toBe(1);
    expect(await inspect(temp)).toEqual({ entries: [], withSecret: [] });
    expect((await inspect(env.ARCHIVAL_PATH!)).withSecret).toEqual([]);

    const rerun = await runCliProcess(['run', 'log-archival'], env);
    expect({ code: rerun.code, stderr: rerun.stderr }).toMatchObject({ code: 0 });
    expect(await count(db.sql, 'flow_execution_logs')).toBe(0);
    expect(await inspect(temp)).toEqual({ entries: [], withSecret: [] });
  });

  it('verify and restore from the CLI leave nothing in TMPDIR', async () => {
    const verify = await runCliProcess(['verify', '--json'], env);
    expect({ code: verify.code, stderr: verify.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(verify.stdout)).toMatchObject({ problems: [] });
    expect(await inspect(temp)).toEqual({ entries: [], withSecret: [] });

    const { rows: [archive] } = await db.sql.query(`SELECT id FROM archived_partitions WHERE status = 'purged'`);
    const restore = await runCliProcess(['restore', '--archive', String(archive.id)], env);
    expect({ code: restore.code, stderr: restore.stderr }).toMatchObject({ code: 0 });
    expect(await rowDifference(db.sql, 'original', 'flow_execution_logs')).toBe(0);
    expect(await inspect(temp)).toEqual({ entries: [], withSecret: [] });
  });

  it('at start-up, removes the read-back spools of older versions and nothing else', async () => {
    const spool = join(temp, 'archival-parquet-Ab3xY9');
    const notOurs = [join(temp, 'archival-parquet-Zz9kQ2'), join(temp, 'archival-parquet-reports')];
    await mkdir(spool);
    await writeFile(join(spool, 'archive.parquet'), `PAR1 ${SECRET} PAR1`);
    for (const directory of notOurs) {
      await mkdir(directory);
      await writeFile(join(directory, 'notes.txt'), 'someone else’s');
    }
    try {
      const jobs = await runCliProcess(['jobs'], env);
      expect({ code: jobs.code, stderr: jobs.stderr }).toMatchObject({ code: 0 });
      // Nest's console logger writes warnings to stdout.
      expect(jobs.stdout).toContain('parquet.spool_removed');
      expect(jobs.stdout).toContain(spool);
      const { entries, withSecret } = await inspect(temp);
      expect(withSecret).toEqual([]);
      expect(entries.sort()).toEqual([...notOurs, ...notOurs.map((d) => join(d, 'notes.txt'))].sort());
    } finally {
      for (const directory of notOurs) await rm(directory, { recursive: true, force: true });
    }
  });
});
