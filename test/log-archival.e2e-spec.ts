import { Client } from 'pg';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { loadLines, readArchiveLines, readManifest, rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';

describe('log-archival on a local volume', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = db.sql;
    app = await createArchivalApp(db.url, { module: { compression: 'zstd', maxRowsPerFile: 40_000 } });
    await seedLogs(sql, { rows: 200_000, days: 365, now: FIXED_NOW });
    await sql.query(`CREATE TABLE before_run AS SELECT * FROM flow_execution_logs`);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('moves exactly the logs older than 90 days into monthly archives and deletes only them', async () => {
    const report = await app.archival.run('log-archival');
    expect(report.status).toBe('succeeded');
    const cutoff = report.tables[0].cutoff;
    const old = await count(sql, 'before_run', `created_at < '${cutoff}'`);
    expect(old).toBeGreaterThan(140_000);
    expect(report.rows).toBe(old);
    expect(await count(sql, 'flow_execution_logs')).toBe(200_000 - old);
    expect(await count(sql, 'flow_execution_logs', `created_at < '${cutoff}'`)).toBe(0);
    // Newer rows untouched: identical to before, column by column.
    await sql.query(`CREATE TABLE young AS SELECT * FROM before_run WHERE created_at >= '${cutoff}'`);
    expect(await rowDifference(sql, 'young', 'flow_execution_logs')).toBe(0);
  });

  it('wrote monthly parts that decompress to exactly the deleted rows', async () => {
    const archives = await app.catalog.listArchives({ table: 'flow_execution_logs' });
    expect(archives.length).toBeGreaterThanOrEqual(10);
    await sql.query(`CREATE TABLE restored (LIKE flow_execution_logs)`);
    for (const archive of archives) {
      expect(archive.status).toBe('purged');
      expect(archive.archivePath).toMatch(
        /^public\.flow_execution_logs\/year=\d{4}\/month=\d{2}\/flow_execution_logs_\d{4}-\d{2}-01_to_\d{4}-\d{2}-\d{2}_part-\d{4}-[0-9a-f]{12}\.jsonl\.zst$/,
      );
      expect(archive.rowCount).toBeLessThanOrEqual(40_000);
      const lines = await readArchiveLines(app.archiveDir, archive.archivePath);
      expect(lines).toHaveLength(archive.rowCount);
      await loadLines(sql, 'restored', lines, await readManifest(app.archiveDir, archive.manifestPath));
      const { rows } = await sql.query(
        `SELECT count(*)::int AS outside FROM restored WHERE id BETWEEN $1::bigint AND $2::bigint
            AND (created_at < $3::date OR created_at >= $4::date + 1)`,
        [archive.minPk, archive.maxPk, archive.startDate, archive.endDate],
      );
      expect(rows[0].outside).toBe(0);
    }
    await sql.query(`CREATE TABLE deleted AS SELECT * FROM before_run b
                      WHERE NOT EXISTS (SELECT 1 FROM flow_execution_logs l WHERE l.id = b.id)`);
    expect(await count(sql, 'restored')).toBe(await count(sql, 'deleted'));
    expect(await rowDifference(sql, 'deleted', 'restored')).toBe(0);
  });

  it('a second run archives nothing and changes nothing', async () => {
    const archivesBefore = await app.catalog.listArchives({ table: 'flow_execution_logs' });
    const rowsBefore = await count(sql, 'flow_execution_logs');
    const report = await app.archival.run('log-archival');
    expect(report).toMatchObject({ status: 'succeeded', rows: 0, archives: 0 });
    expect(await count(sql, 'flow_execution_logs')).toBe(rowsBefore);
    expect(await app.catalog.listArchives({ table: 'flow_execution_logs' })).toEqual(archivesBefore);
  });

  it('puts late rows of an archived month into a new part, leaving the old parts alone', async () => {
    const [first] = await app.catalog.listArchives({ table: 'flow_execution_logs' });
    await sql.query(
      `INSERT INTO flow_execution_logs (level, message, created_at) VALUES ('info', 'late', $1::date + interval '3 days')`,
      [first.startDate],
    );
    const report = await app.archival.run('log-archival');
    expect(report.rows).toBe(1);
    const window = await app.catalog.listArchives({ table: 'flow_execution_logs', from: first.startDate, to: first.startDate });
    const parts = window.filter((a) => a.startDate === first.startDate).map((a) => a.part);
    expect(new Set(parts).size).toBe(parts.length);
    const late = window[window.length - 1];
    expect(late.part).toBe(Math.max(...parts));
    expect(late.rowCount).toBe(1);
    expect((await readArchiveLines(app.archiveDir, late.archivePath))[0]).toContain('"message":"late"');
    const unchanged = await app.catalog.findArchive(first.id);
    expect(unchanged).toEqual(first);
  });
});
