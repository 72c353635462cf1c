import { Client } from 'pg';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { restoreArchive, rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';
import { faultHooks } from './harness/fault-hooks';
import { monthStart as monthOf, NOW_SQL } from './harness/clock';
import { partitionLogTable } from './harness/partitioned-logs';
import { captureLogs } from './harness/log-capture';

const monthStart = (offset: number) => monthOf(FIXED_NOW, offset);

describe('the partition fast path (a log table range-partitioned by month)', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const hooks = faultHooks();
  const logs = captureLogs();

  beforeAll(async () => {
    db = await createTestDatabase();
    const { sql } = db;
    await partitionLogTable(sql, FIXED_NOW);
    await sql.query(
      `INSERT INTO flow_execution_logs (level, message, data, created_at)
       SELECT 'info', 'line ' || i, jsonb_build_object('i', i), $1::timestamptz + i * interval '1 hour' FROM generate_series(1, 8600) i`,
      [monthStart(-12).toISOString()],
    );
    await sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);
    app = await createArchivalApp(db.url, { module: { maxRowsPerFile: 400 }, hooks });
    logs.install(); // after compile(), which installs the testing logger
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    logs.restore();
  });

  const partitions = async () =>
    (await db.sql.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'flow_execution_logs'::regclass ORDER BY 1`))
      .rows.map((r) => r.relname as string);

  it('drops the old months\' partitions after verified archives, deletes rows in the month that is only partly eligible', async () => {
    const before = await partitions();
    const report = await app.archival.run('log-archival');
    expect(report.status).toBe('succeeded');
    const cutoff = new Date(report.tables[0].cutoff);
    expect(report.rows).toBe(await count(db.sql, 'original', `created_at < '${cutoff.toISOString()}'`));

    const after = await partitions();
    const wholeMonthsBeforeCutoff = before.filter((_, i) => monthStart(-12 + i + 1) <= cutoff);
    expect(wholeMonthsBeforeCutoff.length).toBeGreaterThanOrEqual(8);
    expect(after).toEqual(before.filter((name) => !wholeMonthsBeforeCutoff.includes(name)));
    // The cutoff's month keeps its partition and only its newer rows.
    expect(await count(db.sql, 'flow_execution_logs', `created_at < '${cutoff.toISOString()}'`)).toBe(0);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(await count(db.sql, 'original', `created_at >= '${cutoff.toISOString()}'`));

    // Every archive is verified and purged, and together they restore exactly the rows that left.
    const archives = await app.catalog.listArchives({ table: 'flow_execution_logs', limit: 1000 });
    expect(archives.every((a) => a.status === 'purged' && a.verifiedAt !== null)).toBe(true);
    await db.sql.query(`CREATE TABLE restored (LIKE original)`);
    for (const archive of archives) await restoreArchive(app, db.sql, archive, 'restored');
    await db.sql.query(`CREATE TABLE gone AS SELECT * FROM original WHERE created_at < '${cutoff.toISOString()}'`);
    expect(await rowDifference(db.sql, 'gone', 'restored')).toBe(0);
  });

  it('drops partitions while the API keeps querying and inserting through the parent (no deadlock)', async () => {
    await db.sql.query(`CREATE TABLE flow_execution_logs_busy PARTITION OF flow_execution_logs FOR VALUES FROM ('${monthStart(-30).toISOString()}') TO ('${monthStart(-29).toISOString()}')`);
    await db.sql.query(`INSERT INTO flow_execution_logs (level, message, created_at) SELECT 'info', 'busy ' || i, $1::timestamptz + i * interval '1 minute' FROM generate_series(1, 3000) i`, [monthStart(-30).toISOString()]);
    // Queries without the partition key lock the parent, then every partition.
    const api = new Client({ connectionString: db.url });
    await api.connect();
    let running = true;
    let queries = 0;
    const traffic = (async () => {
      while (running) {
        await api.query(`SELECT count(*) FROM flow_execution_logs WHERE level = 'warn'`);
        await api.query(`INSERT INTO flow_execution_logs (level, message, created_at) VALUES ('info', 'live', ${NOW_SQL})`);
        queries++;
      }
    })();
    try {
      const report = await app.archival.run('log-archival');
      expect(report.status).toBe('succeeded');
      expect((await partitions()).includes('flow_execution_logs_busy')).toBe(false);
    } finally {
      running = false;
      await traffic;
      await api.end();
    }
    expect(queries).toBeGreaterThan(0);
  });

  it('refuses to drop a partition that gained a row after it was read, and deletes nothing there', async () => {
    await db.sql.query(`CREATE TABLE flow_execution_logs_late PARTITION OF flow_execution_logs FOR VALUES FROM ('${monthStart(-20).toISOString()}') TO ('${monthStart(-19).toISOString()}')`);
    await db.sql.query(`INSERT INTO flow_execution_logs (level, message, created_at) SELECT 'info', 'late ' || i, $1::timestamptz + i * interval '1 minute' FROM generate_series(1, 50) i`, [monthStart(-20).toISOString()]);
    // A row arrives between the archive's verification and the drop.
    hooks.afterVerify = async () => {
      delete hooks.afterVerify;
      await db.sql.query(`INSERT INTO flow_execution_logs (level, message, created_at) VALUES ('info', 'arrived', $1)`, [monthStart(-20).toISOString()]);
    };
    await expect(app.archival.run('log-archival')).rejects.toThrow(/dropping partition flow_execution_logs_late rolled back: it holds 51 rows/);
    expect(await count(db.sql, 'flow_execution_logs_late')).toBe(51);
    const rerun = await app.archival.run('log-archival');
    expect(rerun.rows).toBe(51);
    expect((await partitions()).includes('flow_execution_logs_late')).toBe(false);
  });

  it('keeps a partition that holds a row under legal hold: the other rows are deleted by key, and the log says why', async () => {
    await db.sql.query(`CREATE TABLE flow_execution_logs_held PARTITION OF flow_execution_logs FOR VALUES FROM ('${monthStart(-40).toISOString()}') TO ('${monthStart(-39).toISOString()}')`);
    const { rows } = await db.sql.query(
      `INSERT INTO flow_execution_logs (level, message, created_at) SELECT 'info', 'held month ' || i, $1::timestamptz + i * interval '1 minute' FROM generate_series(1, 30) i RETURNING id`,
      [monthStart(-40).toISOString()],
    );
    const held = rows[0].id as string;
    await db.sql.query(`INSERT INTO legal_holds (table_name, key_value, reason) VALUES ('flow_execution_logs', $1, 'case 40: one line of a dropped month')`, [held]);
    logs.lines.length = 0;
    try {
      const report = await app.archival.run('log-archival');
      expect(report.status).toBe('succeeded');
      expect(report.rows).toBe(29);
      expect((await partitions()).includes('flow_execution_logs_held')).toBe(true);
      expect((await db.sql.query(`SELECT id FROM flow_execution_logs_held`)).rows.map((r) => r.id as string)).toEqual([held]);
      expect(logs.lines).toContainEqual(expect.objectContaining({
        event: 'partition.kept', job: 'log-archival', runId: report.runId, table: 'flow_execution_logs', partition: 'flow_execution_logs_held',
        why: expect.stringMatching(/legal hold/),
      }));
    } finally {
      await db.sql.query(`DELETE FROM legal_holds`);
    }
  });
});
