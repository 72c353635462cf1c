/**
 * DESIGN.md invariant 7 with DuckDB, a reader nobody here wrote: restore a
 * month, run again, and a glob over the table's folder counts each row once,
 * as the catalog's live totals do; verify, restore, export and the metrics
 * know restored from superseded. Child archives travel with their parents.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { register } from 'prom-client';
import { ArchivalTestApp } from './harness/archival-app';
import { TestDatabase } from './harness/database';
import { DuckDb } from './harness/duckdb';
import { catalogLive, closeLake, openArchivedLake } from './harness/lake-world';
import { RestoreService } from '../src/archival/restore/restore.service';
import { VerifyService } from '../src/archival/readback/verify.service';
import { ExportService } from '../src/archival/readback/export.service';

const LOGS = 'flow_execution_logs';

/** count(*) and count(distinct id) over a table's folder, as a stranger's glob reads it. */
async function folderCounts(duck: DuckDb, app: ArchivalTestApp, folder: string, extension = 'parquet') {
  const glob = `${app.archiveDir}/public.${folder}/**/*.${extension}`;
  const reader = extension === 'parquet' ? `read_parquet('${glob}', hive_partitioning = true)` : `read_json('${glob}', format = 'newline_delimited', hive_partitioning = true)`;
  const [counts] = await duck.rows<{ rows: string; ids: string }>(`SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM ${reader}`);
  return { rows: Number(counts.rows), ids: Number(counts.ids) };
}

describe('no row in two live archives: restore, then the next run supersedes (Parquet, with children)', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  let duck: DuckDb;

  beforeAll(async () => {
    ({ db, app, duck } = await openArchivedLake());
  });
  afterAll(() => closeLake({ db, app, duck }));

  it('restore a month, run again: each row once in the folder, in the catalog totals, and verify, export and metrics know why', async () => {
    // A month of several parts.
    const [{ start }] = (await db.sql.query(
      `SELECT start_date::text AS start FROM archived_partitions WHERE table_name = $1 GROUP BY start_date HAVING count(*) > 1 ORDER BY start_date LIMIT 1`, [LOGS])).rows;
    const [first] = await app.catalog.listArchives({ table: LOGS, status: 'purged', from: start, to: start, limit: 1 });
    const month = { from: first.startDate, to: first.endDate };
    const restore = app.context.get(RestoreService);
    const restored = await restore.restore({ table: LOGS, ...month }, 'cli');
    expect(restored.archives.length).toBeGreaterThan(1); // several parts of one month
    const restoredIds = restored.archives.map((a) => a.id);
    for (const id of restoredIds) expect((await app.catalog.findArchive(id))?.status).toBe('restored');
    // Restored archives are live: their rows are counted once in the lake (and are back in the table).
    expect(await folderCounts(duck, app, LOGS)).toEqual({ rows: (await catalogLive(db, LOGS)).rows, ids: (await catalogLive(db, LOGS)).rows });
    // Restoring them again is a no-op that says so.
    const again = await restore.restore({ archiveId: restoredIds[0] }, 'cli');
    expect(again.archives[0]).toMatchObject({ id: restoredIds[0], skipped: 'already restored' });

    expect((await app.archival.run('log-archival')).status).toBe('succeeded');
    for (const id of restoredIds) {
      const archive = await app.catalog.findArchive(id);
      expect(archive).toMatchObject({ status: 'superseded' });
      expect(archive?.fileRemovedAt).not.toBeNull();
    }
    const counts = await folderCounts(duck, app, LOGS);
    const live = await catalogLive(db, LOGS);
    expect(counts.rows).toBe(counts.ids);
    expect(counts.rows).toBe(live.rows);
    expect(live.totals).toBe(live.rows);

    const report = await app.context.get(VerifyService).verify({ table: LOGS });
    expect(report.problems).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(report.superseded.map((s) => s.archiveId).sort()).toEqual([...restoredIds].sort());
    expect(report.superseded.every((s) => s.fileRemoved && s.supersededBy !== null)).toBe(true);
    await expect(restore.restore({ archiveId: restoredIds[0] }, 'cli')).rejects.toThrow(/is superseded: .* took them again; restore that one/);

    const metrics = await register.getSingleMetricAsString('archival_archives_superseded_total');
    expect(metrics).toMatch(new RegExp(`archival_archives_superseded_total\\{job="log-archival",table="${LOGS}",storage="local"\\} ${restoredIds.length}`));

    // Export finds a re-archived row once, from its newer archive.
    const [{ id }] = (await db.sql.query(`SELECT min_pk AS id FROM archived_partitions WHERE id = $1`, [restoredIds[0]])).rows;
    const exported = await app.context.get(ExportService).export('log-archival', id);
    expect(exported).toHaveLength(1);
    expect(JSON.parse(exported[0]).archive).not.toBe(first.archivePath);
  });

  it('a restored session archive travels with its deltas: both restored, both superseded by the next run', async () => {
    const [session] = await app.catalog.listArchives({ table: 'flow_execution_sessions', status: 'purged', limit: 1 });
    const restored = await app.context.get(RestoreService).restore({ archiveId: session.id }, 'cli');
    const ids = restored.archives.map((a) => a.id);
    expect(restored.archives.map((a) => a.table)).toEqual(['flow_execution_sessions', 'flow_execution_deltas']);
    for (const id of ids) expect((await app.catalog.findArchive(id))?.status).toBe('restored');
    expect((await app.archival.run('session-archival')).status).toBe('succeeded');
    for (const id of ids) expect((await app.catalog.findArchive(id))?.status).toBe('superseded');
    for (const table of ['flow_execution_sessions', 'flow_execution_deltas']) {
      const counts = await folderCounts(duck, app, table);
      expect(counts.rows).toBe(counts.ids);
      expect(counts.rows).toBe((await catalogLive(db, table)).rows);
    }
  });
  // Written by this job, or by another job on the same table (one that may never run again): the superseding job's run removes it.
  it.each([
    ['the next run of the job', undefined],
    ['the job that superseded it, when another job wrote it', 'retired-log-job'],
  ])('a superseded file a crash left behind is removed by %s', async (_who, writer) => {
    const [archive] = await app.catalog.listArchives({ table: LOGS, status: 'purged', limit: 1 });
    const path = join(app.archiveDir, archive.archivePath);
    const bytes = await readFile(path);
    if (writer) await db.sql.query(`UPDATE archived_partitions SET job = $2 WHERE id = $1`, [archive.id, writer]);
    await app.context.get(RestoreService).restore({ archiveId: archive.id }, 'cli');
    expect((await app.archival.run('log-archival')).status).toBe('succeeded');
    expect(await app.catalog.findArchive(archive.id)).toMatchObject({ status: 'superseded' });
    // As if the process died after the purge committed, before the file was removed.
    await writeFile(path, bytes);
    await db.sql.query(`UPDATE archived_partitions SET file_removed_at = NULL WHERE id = $1`, [archive.id]);
    expect((await app.archival.run('log-archival')).status).toBe('succeeded');
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    expect((await app.catalog.findArchive(archive.id))?.fileRemovedAt).not.toBeNull();
    const counts = await folderCounts(duck, app, LOGS);
    expect(counts.rows).toBe(counts.ids);
  });

  it('never loses a row: a restored row deleted since (in no newer archive, not in the table) keeps its archive restored, file and all', async () => {
    const [archive] = await app.catalog.listArchives({ table: LOGS, status: 'purged', limit: 1 });
    await app.context.get(RestoreService).restore({ archiveId: archive.id }, 'cli');
    await db.sql.query(`DELETE FROM flow_execution_logs WHERE id = $1`, [archive.minPk]);
    expect((await app.archival.run('log-archival')).status).toBe('succeeded');
    expect(await app.catalog.findArchive(archive.id)).toMatchObject({ status: 'restored' });
    expect((await stat(join(app.archiveDir, archive.archivePath))).size).toBe(archive.compressedSize);
    const [{ n }] = (await db.sql.query(`SELECT count(*)::int AS n FROM archival_restored_keys WHERE archive_id = $1`, [archive.id])).rows;
    expect(n).toBe(1); // only the deleted row's key is still waiting: every other key is in a newer archive
  });
});
