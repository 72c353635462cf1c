import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HookContext } from '../src/archival/engine/archival-hooks';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { faultHooks } from './harness/fault-hooks';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';

describe('nothing is deleted unless its archive was read back and matched', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const hooks = faultHooks();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { compression: 'zstd', maxRowsPerFile: 2_000 }, hooks });
    await seedLogs(db.sql, { rows: 6_000, days: 200, now: FIXED_NOW });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('a dry run reports what it would archive and writes and deletes nothing', async () => {
    const report = await app.archival.run('log-archival', { dryRun: true });
    expect(report.status).toBe('succeeded');
    expect(report.dryRun).toBe(true);
    const eligible = await count(db.sql, 'flow_execution_logs', `created_at < '${report.tables[0].cutoff}'`);
    expect(eligible).toBeGreaterThan(2_000);
    expect(report.rows).toBe(eligible);
    expect(report.tables[0].plan!.reduce((sum, w) => sum + w.rows, 0)).toBe(eligible);
    expect(report.tables[0].plan![0]).toEqual({ window: expect.stringMatching(/^\d{4}-\d{2}-01\.\.\d{4}-\d{2}-\d{2}$/), rows: expect.any(Number), parts: expect.any(Number) });
    expect(await count(db.sql, 'flow_execution_logs')).toBe(6_000);
    expect(await app.catalog.listArchives()).toEqual([]);
    expect(await readdir(app.archiveDir)).toEqual([]);
    expect(await app.catalog.findRun(report.runId)).toMatchObject({ dryRun: true, status: 'succeeded', rows: eligible });
  });

  it('a corrupted archive fails verification, is marked failed, and deletes nothing', async () => {
    // The first part's read-back waits until the next part is written, so that one is surely in flight when the first fails.
    let writes = 0;
    let nextWritten!: () => void;
    const next = new Promise<void>((resolve) => (nextWritten = resolve));
    hooks.afterWrite = async ({ archivePath }: HookContext) => {
      const path = join(app.archiveDir, archivePath);
      const bytes = await readFile(path);
      bytes[bytes.length >> 1] ^= 0x01;
      await writeFile(path, bytes);
      if (++writes === 2) nextWritten();
    };
    hooks.at = async (point) => {
      if (point === 'mid-verify') await next;
    };
    const before = await count(db.sql, 'flow_execution_logs');
    try {
      await expect(app.archival.run('log-archival')).rejects.toThrow(/verification of public\.flow_execution_logs\/year=\d{4}\/month=\d{2}\/.* failed: .*SHA-256.*nothing was deleted/);
    } finally {
      delete hooks.at;
    }
    expect(await count(db.sql, 'flow_execution_logs')).toBe(before);
    const [corrupted, ...later] = await app.catalog.listArchives();
    expect(corrupted).toMatchObject({ status: 'failed', error: expect.stringContaining('SHA-256') });
    // The next part, written while the first was being verified, is abandoned: object gone, rows kept.
    expect(later.length).toBeGreaterThan(0);
    for (const archive of later) {
      expect(archive).toMatchObject({ status: 'failed', error: expect.stringMatching(/^abandoned: the run stopped before purging it \(verification of/) });
      await expect(stat(join(app.archiveDir, archive.archivePath))).rejects.toThrow(/ENOENT/);
    }
    const [run] = await app.catalog.listRuns({ job: 'log-archival', status: 'failed' });
    expect(run.error).toMatch(/verification of .* failed/);
  });

  it('a row updated after it was archived is not deleted: the purge rolls back whole', async () => {
    hooks.afterVerify = async () => {
      await db.sql.query(`UPDATE flow_execution_logs SET message = 'edited during the run' WHERE id = (SELECT min(id) FROM flow_execution_logs)`);
    };
    const before = await count(db.sql, 'flow_execution_logs');
    await expect(app.archival.run('log-archival')).rejects.toThrow(/purge of .* rolled back/);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(before);
    const [run] = await app.catalog.listRuns({ job: 'log-archival', limit: 1 });
    const ofRun = (await app.catalog.listArchives()).filter((a) => a.runId === run.id);
    expect(ofRun[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/rolled back/) });
    expect(ofRun.every((a) => a.status === 'failed')).toBe(true);
  });

  it('the next clean run archives everything, the edited row in its new version, in fresh parts', async () => {
    const report = await app.archival.run('log-archival');
    expect(report.status).toBe('succeeded');
    expect(await count(db.sql, 'flow_execution_logs', `created_at < '${report.tables[0].cutoff}'`)).toBe(0);
    const purged = await app.catalog.listArchives({ status: 'purged' });
    expect(purged.reduce((sum, a) => sum + a.rowCount, 0)).toBe(report.rows);
    const failedPaths = (await app.catalog.listArchives({ status: 'failed' })).map((a) => a.archivePath);
    expect(purged.some((a) => failedPaths.includes(a.archivePath))).toBe(false);
  });

  it('chains each manifest to the previous one of the table', async () => {
    const purged = await app.catalog.listArchives({ status: 'purged' });
    let previous: string | null = null;
    for (const archive of purged) {
      const manifest = JSON.parse(await readFile(join(app.archiveDir, archive.manifestPath), 'utf8'));
      expect(manifest).toMatchObject({ table: 'flow_execution_logs', rowCount: archive.rowCount, sha256: archive.sha256 });
      expect(manifest.previousManifestSha256).toBe(previous);
      previous = archive.manifestSha256;
    }
  });

  it('a run that fails midway still reports the parts it purged, and the next run finishes the job', async () => {
    await db.sql.query(
      `INSERT INTO flow_execution_logs (level, message, created_at)
       SELECT 'info', 'batch ' || i, $1::timestamptz + i * interval '1 second' FROM generate_series(1, 5000) i`,
      [new Date(FIXED_NOW.getTime() - 150 * 86_400_000).toISOString()],
    );
    let verified = 0;
    hooks.afterVerify = () => {
      if (++verified === 2) throw new Error('storage went away');
    };
    await expect(app.archival.run('log-archival')).rejects.toThrow('storage went away');
    const [run] = await app.catalog.listRuns({ job: 'log-archival', status: 'failed' });
    expect(run).toMatchObject({ rows: 2_000, archives: 1, error: 'storage went away' });
    delete hooks.afterVerify;
    const next = await app.archival.run('log-archival');
    expect(next).toMatchObject({ status: 'succeeded', rows: 3_000 });
    expect(await count(db.sql, 'flow_execution_logs', `message LIKE 'batch %'`)).toBe(0);
  });
});
