import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { ARCHIVAL_MIGRATIONS } from '../migrations';
import { AppModule, ORDERS_JOB } from './fixtures/cli-host/host.module';
import { NOW_SQL } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { compileHostCli, demoFiles, HOST_MODULE, HostCli } from './harness/host-cli';
import { readArchiveLines } from './harness/archives';
import { count } from './harness/seed';

const DEMO_TABLES = ['flow_execution_logs', 'flow_execution_sessions', 'flow_execution_deltas', 'call_sessions', 'call_events', 'memory_chunks'];

/** A host's operator runs `archival --module <its compiled module>` over the host's own database and tables. */
describe("the archival CLI in a host's module (--module)", () => {
  let db: TestDatabase;
  let archiveDir: string;
  let host: HostCli;
  let env: NodeJS.ProcessEnv;
  const archival = (...args: string[]) => host.run(['--module', HOST_MODULE, ...args]);
  const tableExists = async (name: string) =>
    (await db.sql.query('SELECT to_regclass($1) IS NOT NULL AS present', [name])).rows[0].present as boolean;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    archiveDir = await mkdtemp(join(tmpdir(), 'archival-host-cli-'));
    // The host's own variables: no DATABASE_URL, no ARCHIVAL_PATH (those would be the demo's).
    env = { SHOP_DATABASE_URL: db.url, SHOP_ARCHIVE_DIR: archiveDir };
    host = await compileHostCli(env);
    await db.sql.query(`
      CREATE SCHEMA shop;
      CREATE TABLE shop.orders (id bigserial PRIMARY KEY, customer text NOT NULL, total numeric(12,2) NOT NULL, placed_at timestamptz NOT NULL);
      INSERT INTO shop.orders (customer, total, placed_at)
        SELECT 'old ' || i, i * 1.25, ${NOW_SQL} - interval '40 days' - i * interval '12 hours' FROM generate_series(1, 300) i
        UNION ALL
        SELECT 'new ' || i, i, ${NOW_SQL} - interval '20 days' + i * interval '1 hour' FROM generate_series(1, 100) i;`);
  });
  afterAll(async () => {
    await host?.remove();
    await db?.drop();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it("migrate creates the catalog in the host database: not the demo tables, not the host's own migrations", async () => {
    const first = await archival('migrate', '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ applied: ARCHIVAL_MIGRATIONS.map((m) => m.name), pending: false });
    expect(await tableExists('archived_partitions')).toBe(true);
    expect(await tableExists('archival_runs')).toBe(true);
    for (const table of DEMO_TABLES) expect(await tableExists(table)).toBe(false);
    expect(await tableExists('shop.coupons')).toBe(false); // the host's own migration is the host's to run
    const again = await archival('migrate', '--json');
    expect(JSON.parse(again.stdout)).toEqual({ applied: [], pending: false });
  });

  it("jobs lists the host's declared table as a job", async () => {
    const result = await archival('jobs', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toContainEqual(
      expect.objectContaining({ name: ORDERS_JOB, retentionDays: 30, tables: ['shop.orders'], lastRun: null }),
    );
  });

  it("run archives and purges exactly the host's old rows; archives lists them; verify passes", async () => {
    const oldIds = (await db.sql.query(`SELECT id::text FROM shop.orders WHERE customer LIKE 'old %' ORDER BY id`)).rows.map((r) => r.id);
    const run = await archival('run', ORDERS_JOB, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ job: ORDERS_JOB, status: 'succeeded', rows: 300 });
    expect(await count(db.sql, 'shop.orders')).toBe(100);
    expect(await count(db.sql, 'shop.orders', `customer LIKE 'old %'`)).toBe(0);

    const listed = await archival('archives', '--json', '--table', 'orders');
    expect(listed.code).toBe(0);
    const archives = JSON.parse(listed.stdout) as { archivePath: string; rowCount: number; status: string }[];
    expect(archives.every((a) => a.status === 'purged')).toBe(true);
    const archivedIds: string[] = [];
    for (const archive of archives) {
      expect(archive.archivePath).toMatch(/^shop\.orders\/year=\d{4}\/month=\d{2}\//);
      archivedIds.push(...(await readArchiveLines(archiveDir, archive.archivePath)).map((line) => String(JSON.parse(line).id)));
    }
    expect(archivedIds.sort()).toEqual([...oldIds].sort());

    const verify = await archival('verify', '--json');
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ checked: archives.length, ok: archives.length, problems: [], missing: [], untracked: [] });
  });

  it('loads nothing of the demo host', async () => {
    const result = await archival('runs', '--json');
    expect(result.code).toBe(0);
    expect(result.loaded.length).toBeGreaterThan(0);
    expect(demoFiles(result.loaded)).toEqual([]);
  });

  it('takes the module from ARCHIVAL_CLI_MODULE, and a DynamicModule export', async () => {
    const byEnv = await host.run(['runs', '--json', '--job', ORDERS_JOB], { ARCHIVAL_CLI_MODULE: HOST_MODULE });
    expect(byEnv.code).toBe(0);
    expect(JSON.parse(byEnv.stdout)).toEqual([expect.objectContaining({ job: ORDERS_JOB, trigger: 'cli', status: 'succeeded' })]);
    expect(demoFiles(byEnv.loaded)).toEqual([]);
    const dynamic = await host.run(['--module', `${HOST_MODULE}#AppDynamicModule`, 'jobs', '--json']);
    expect(dynamic.code).toBe(0);
    expect(JSON.parse(dynamic.stdout).map((j: { name: string }) => j.name)).toContain(ORDERS_JOB);
  });

  it("keeps the host's archival schedules off, though the host turns them on", async () => {
    const inCli = join(archiveDir, 'crons-cli.json');
    expect((await host.run(['--module', HOST_MODULE, 'jobs'], { SHOP_CRON_REPORT: inCli })).code).toBe(0);
    expect(JSON.parse(await readFile(inCli, 'utf8'))).toEqual([]);

    // The same module booted as the host's API does register its crons.
    const inApi = join(archiveDir, 'crons-api.json');
    Object.assign(process.env, { ...env, SHOP_CRON_REPORT: inApi });
    try {
      const api = await NestFactory.createApplicationContext(AppModule, { logger: false });
      await api.close();
    } finally {
      for (const name of [...Object.keys(env), 'SHOP_CRON_REPORT']) delete process.env[name];
    }
    expect(JSON.parse(await readFile(inApi, 'utf8'))).toContain(`archival:${ORDERS_JOB}`);
  });
});
