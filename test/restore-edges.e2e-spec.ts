/**
 * Restores that must not let the next run supersede an archive whose rows
 * live nowhere else: a restore that skipped rows on conflict (the table held
 * other rows under those keys), and a second restore (ignoreWatermark) of an
 * archive whose rows a newer archive took since, after a full restore and
 * after one that skipped rows (which records no key count to compare); and
 * a restore whose COMMIT reply was lost, which did restore.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { RestoreService } from '../src/archival/restore/restore.service';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { rowDifference } from './harness/archives';
import { startCommitCuttingProxy } from './harness/commit-cutting-proxy';
import { monthStart, DAY_MS, FIXED_NOW } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';

const LOGS = 'flow_execution_logs';

describe('restores the next run may not supersede', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  let restore: RestoreService;

  beforeEach(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { presets: ['log-archival'] } });
    restore = app.context.get(RestoreService);
    const month = monthStart(FIXED_NOW, -6);
    await seedLogs(db.sql, { rows: 200, from: month, now: new Date(month.getTime() + 20 * DAY_MS) });
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM ${LOGS}`);
    expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: 200 });
  });
  afterEach(async () => {
    await app?.close();
    await db?.drop();
  });
  /** The host writes another row under the first archived key: a restore with conflict=skip then skips that row. */
  const anotherRowUnderTheFirstKey = () =>
    db.sql.query(`INSERT INTO ${LOGS} (id, message, created_at) SELECT id, 'another row', created_at FROM original ORDER BY id LIMIT 1`);

  it('a restore that skipped a row keeps its archive and file: the skipped version is only there', async () => {
    const [archive] = await app.catalog.listArchives({ table: LOGS, status: 'purged' });
    await anotherRowUnderTheFirstKey();
    const report = await restore.restore({ archiveId: archive.id, conflict: 'skip' }, 'cli');
    expect(report).toMatchObject({ status: 'succeeded', rows: 200, written: 199 });
    expect((await app.catalog.findArchives([archive.id]))[0]).toMatchObject({ status: 'restored', restoredKeys: null });

    expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: 200 });
    expect(await count(db.sql, LOGS)).toBe(0);
    // Not superseded: the archived version of the skipped key exists in this archive alone.
    expect((await app.catalog.findArchives([archive.id]))[0].status).toBe('restored');
    await expect(access(join(app.archiveDir, archive.archivePath))).resolves.toBeUndefined();
  });

  it('a second restore of an archive restored in part is refused once a newer archive took its rows, allowed before', async () => {
    const [archive] = await app.catalog.listArchives({ table: LOGS, status: 'purged' });
    await anotherRowUnderTheFirstKey();
    expect(await restore.restore({ archiveId: archive.id, conflict: 'skip' }, 'cli')).toMatchObject({ status: 'succeeded', written: 199 });
    // Nothing archived since: restoring it again is allowed (every row is in the table, so all are skipped).
    expect(await restore.restore({ archiveId: archive.id, conflict: 'skip', ignoreWatermark: true }, 'cli')).toMatchObject({ status: 'succeeded', written: 0 });

    expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: 200 });
    const [newer] = (await app.catalog.listArchives({ table: LOGS, status: 'purged' })).filter((a) => a.id !== archive.id);
    expect(newer).toBeDefined();
    // The 199 restored rows are in the newer archive now: putting them back would make two live archives of them.
    await expect(restore.restore({ archiveId: archive.id, conflict: 'skip', ignoreWatermark: true }, 'cli')).rejects.toThrow(
      new RegExp(`archive ${archive.id} \\(.*\\) was archived again since its restore: a newer archive of ${LOGS} holds some of its rows`),
    );
    // The month's restore (ignoreWatermark) stops at that archive, the month's first: nothing goes back.
    await expect(restore.restore({ table: LOGS, ignoreWatermark: true, conflict: 'skip' }, 'cli')).rejects.toThrow(/was archived again since its restore/);
    expect(await count(db.sql, LOGS)).toBe(0);
    expect((await app.catalog.findArchives([archive.id]))[0]).toMatchObject({ status: 'restored', restoredKeys: null });
  });

  it('an archive restored before keys were counted: a second restore is refused once an archive written since meets its key range', async () => {
    const [archive] = await app.catalog.listArchives({ table: LOGS, status: 'purged' });
    await anotherRowUnderTheFirstKey();
    await restore.restore({ archiveId: archive.id, conflict: 'skip' }, 'cli');
    // As migration 0011 leaves an archive restored in part before it: no key count.
    const uncount = () => db.sql.query(`UPDATE archived_partitions SET restored_key_count = NULL WHERE id = $1`, [archive.id]);
    await uncount();
    expect(await restore.restore({ archiveId: archive.id, conflict: 'skip', ignoreWatermark: true }, 'cli')).toMatchObject({ status: 'succeeded', written: 0 });

    expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: 200 });
    const [newer] = (await app.catalog.listArchives({ table: LOGS, status: 'purged' })).filter((a) => a.id !== archive.id);
    await uncount();
    await expect(restore.restore({ archiveId: archive.id, conflict: 'skip', ignoreWatermark: true }, 'cli')).rejects.toThrow(
      new RegExp(`archive ${archive.id} \\(.*\\) was restored before its keys were counted, and archive ${newer.id} \\(.*\\) of ${LOGS}, written since, may hold some of its rows`),
    );
    expect(await count(db.sql, LOGS)).toBe(0);
  });

  it('a second restore of an archive whose rows a newer archive took since is refused, naming why', async () => {
    const [archive] = await app.catalog.listArchives({ table: LOGS, status: 'purged' });
    await restore.restore({ archiveId: archive.id }, 'cli');
    // One restored row goes (the host deleted it): the next run takes the rest, and the archive stays restored.
    await db.sql.query(`DELETE FROM ${LOGS} WHERE id = (SELECT min(id) FROM ${LOGS})`);
    expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: 199 });
    expect((await app.catalog.findArchives([archive.id]))[0].status).toBe('restored');

    await expect(restore.restore({ archiveId: archive.id, ignoreWatermark: true }, 'cli')).rejects.toThrow(
      new RegExp(`archive ${archive.id} \\(.*\\) was archived again since its restore: a newer archive of ${LOGS} holds some of its rows`),
    );
    expect(await count(db.sql, LOGS)).toBe(0);
  });

  it('a restore whose COMMIT reply was lost is reported as done, once: the catalog says it committed', async () => {
    const [archive] = await app.catalog.listArchives({ table: LOGS, status: 'purged' });
    const target = new URL(db.url);
    const proxy = await startCommitCuttingProxy({ host: target.hostname, port: Number(target.port) }, new RegExp(`^\\s*INSERT INTO "public"."${LOGS}"`));
    const viaProxy = await createArchivalApp(proxy.url(db.url), { module: { presets: ['log-archival'], storage: app.archiveDir } });
    try {
      proxy.arm();
      const report = await viaProxy.context.get(RestoreService).restore({ archiveId: archive.id }, 'cli');
      expect(proxy.cuts).toBe(1);
      expect(report).toMatchObject({ status: 'succeeded', rows: 200, written: 200 });
      expect(await viaProxy.catalog.lastRun('restore')).toMatchObject({ status: 'succeeded' });
      expect(await app.catalog.findArchive(archive.id)).toMatchObject({ status: 'restored', restoredKeys: 200 });
      expect(await rowDifference(db.sql, 'original', LOGS)).toBe(0);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });
});
