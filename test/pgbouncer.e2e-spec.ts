/**
 * The module behind PgBouncer, as hosts deploy it: in session mode PgBouncer
 * serves the module's sessions (advisory lock, temp tables, SET settings) as
 * PostgreSQL would; behind a transaction-mode PgBouncer the host gives the
 * module its own URL straight to PostgreSQL.
 */
import { APPLICATION_NAME } from '../src/archival/engine/pool-config';
import { VerifyService } from '../src/archival/readback/verify.service';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { PgBouncer, PoolMode, startPgBouncer } from './harness/pgbouncer';
import { count, seedLogs } from './harness/seed';

const ROWS = 3_000;

/** Who holds the module's sessions while its purge transaction is open: through PgBouncer, and on the server. */
interface MidPurge {
  throughBouncer: number;
  onServer: number;
}

function setUp(poolMode: PoolMode, connect: (db: TestDatabase, bouncer: PgBouncer) => { host: string; databaseUrl?: string }) {
  const world = {} as { db: TestDatabase; bouncer: PgBouncer; app: ArchivalTestApp; midPurge: MidPurge[] };
  beforeAll(async () => {
    world.bouncer = await startPgBouncer(poolMode);
    world.db = await createTestDatabase();
    await seedLogs(world.db.sql, { rows: ROWS, days: 365, now: FIXED_NOW });
    world.midPurge = [];
    const { host, databaseUrl } = connect(world.db, world.bouncer);
    world.app = await createArchivalApp(host, { module: { databaseUrl, compression: 'zstd', maxRowsPerFile: 1_000 }, hooks: {
      at: async (point) => {
        if (point !== 'mid-delete') return;
        const clients = await world.bouncer.clients();
        const { rows } = await world.db.sql.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [APPLICATION_NAME]);
        world.midPurge.push({ throughBouncer: clients.filter((c) => c.application_name === APPLICATION_NAME).length, onServer: rows[0].n });
      },
    } });
  });
  afterAll(async () => {
    await world.app?.close();
    await world.bouncer?.stop();
    await world.db?.drop();
  });
  return world;
}

/** The job archives exactly the logs past retention, purges them, and every archive verifies. */
async function expectArchivedEndToEnd({ db, app }: { db: TestDatabase; app: ArchivalTestApp }) {
  await db.sql.query(`CREATE TABLE before_run AS SELECT * FROM flow_execution_logs`);
  const report = await app.archival.run('log-archival');
  const cutoff = report.tables[0].cutoff;
  const old = await count(db.sql, 'before_run', `created_at < '${cutoff}'`);
  expect(old).toBeGreaterThan(2_000);
  expect(report).toMatchObject({ status: 'succeeded', rows: old });
  expect(await count(db.sql, 'flow_execution_logs')).toBe(ROWS - old);
  await db.sql.query(`CREATE TABLE young AS SELECT * FROM before_run WHERE created_at >= '${cutoff}'`);
  expect(await rowDifference(db.sql, 'young', 'flow_execution_logs')).toBe(0);
  const archives = await app.catalog.listArchives({ table: 'flow_execution_logs' });
  expect(archives.length).toBeGreaterThanOrEqual(3);
  expect(archives.every((a) => a.status === 'purged')).toBe(true);
  expect(archives.reduce((sum, a) => sum + a.rowCount, 0)).toBe(old);
  expect(await app.context.get(VerifyService).verify({})).toMatchObject({ problems: [], missing: [], untracked: [] });
}

describe('a host whose DataSource goes through PgBouncer in session mode', () => {
  const world = setUp('session', (db, bouncer) => ({ host: bouncer.url(db.name) }));

  it('runs a job end to end, its own sessions through PgBouncer too', async () => {
    await expectArchivedEndToEnd(world);
    expect(world.midPurge.length).toBeGreaterThanOrEqual(3);
    // The job's lock session and its purge transaction, at least, are PgBouncer clients.
    for (const seen of world.midPurge) expect(seen.throughBouncer).toBeGreaterThanOrEqual(2);
  });
});

describe('a host behind PgBouncer in transaction mode, the module given its own URL to PostgreSQL', () => {
  const world = setUp('transaction', (db, bouncer) => ({ host: bouncer.url(db.name), databaseUrl: db.url }));

  it('runs a job end to end, the module connecting straight to PostgreSQL', async () => {
    await expectArchivedEndToEnd(world);
    expect(world.midPurge.length).toBeGreaterThanOrEqual(3);
    for (const seen of world.midPurge) {
      expect(seen.throughBouncer).toBe(0);
      expect(seen.onServer).toBeGreaterThanOrEqual(2);
    }
    // The host's catalog writes went through PgBouncer all along.
    expect((await world.bouncer.clients()).some((c) => c.database === world.db.name)).toBe(true);
  });
});
