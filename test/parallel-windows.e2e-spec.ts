/**
 * ARCHIVAL_PARALLELISM: several month windows of one table at once, each
 * under its own advisory lock; the manifest hash chain stays one chain, in
 * the order archives were sealed; a window another run holds is skipped and
 * left whole; a failure in one window stops the others and leaves no
 * archive half done.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VerifyService } from '../src/archival/readback/verify.service';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { readManifest } from './harness/archives';
import { daysAgo, FIXED_NOW } from './harness/clock';
import { captureLogs } from './harness/log-capture';
import { partitionLogTable } from './harness/partitioned-logs';
import { createTestDatabase, TestDatabase } from './harness/database';
import { faultHooks } from './harness/fault-hooks';
import { until } from './harness/poll';
import { count, seedLogs } from './harness/seed';

const ROWS = 2_000;
const TABLE = 'flow_execution_logs';

describe('windows in parallel (ARCHIVAL_PARALLELISM=2)', () => {
  const hooks = faultHooks();
  let db: TestDatabase;
  let app: ArchivalTestApp;

  async function reseed(): Promise<void> {
    await db.sql.query(`TRUNCATE ${TABLE}`);
    // About four eligible months (retention 90 days), about 500 rows each: five parts of 100 per window.
    await seedLogs(db.sql, { rows: ROWS, from: daysAgo(220), now: daysAgo(100) });
  }
  const months = async () =>
    (await db.sql.query(`SELECT DISTINCT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS m FROM ${TABLE} ORDER BY 1`)).rows.map((r) => r.m as string);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { presets: ['log-archival'], parallelism: 2, databasePoolSize: 6, maxRowsPerFile: 100, batchSize: 50 }, hooks });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('archives two windows at once, every row once, the manifests one chain in the order they were sealed', async () => {
    await reseed();
    const windows = await months();
    expect(windows.length).toBeGreaterThanOrEqual(4);
    let first = true;
    hooks.afterVerify = async () => {
      if (!first) return;
      first = false;
      // The first sealed archive waits for another window's first archive: one window at a time would never get there.
      await until(
        async () => (await db.sql.query(`SELECT count(DISTINCT start_date)::int AS n FROM archived_partitions WHERE table_name = $1`, [TABLE])).rows[0].n,
        (n) => n >= 2,
        "a second window's archive written while the first window's first archive is sealed",
      );
    };
    const result = await app.archival.run('log-archival');
    expect(result).toMatchObject({ status: 'succeeded', rows: ROWS });
    expect(result.tables[0].skippedWindows).toBeUndefined();
    expect(await count(db.sql, TABLE)).toBe(0);

    const { rows: archives } = await db.sql.query(
      `SELECT manifest_path, manifest_sha256, status, row_count FROM archived_partitions WHERE table_name = $1 ORDER BY chain_seq`, [TABLE],
    );
    expect(archives.every((a) => a.status === 'purged')).toBe(true);
    expect(archives.reduce((sum, a) => sum + Number(a.row_count), 0)).toBe(ROWS);
    let previous: string | null = null;
    for (const archive of archives) {
      expect((await readManifest(app.archiveDir, archive.manifest_path)).previousManifestSha256).toBe(previous);
      previous = archive.manifest_sha256;
    }
    expect((await app.context.get(VerifyService).verify({ table: TABLE })).problems).toEqual([]);
  });

  it('skips a window another run holds, leaving its rows, and archives it once the lock is let go', async () => {
    await reseed();
    const [held] = await months();
    const key = `nest-archival:window:log-archival:public.${TABLE}:${held}`;
    await db.sql.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [key]);
    let result;
    try {
      result = await app.archival.run('log-archival');
    } finally {
      await db.sql.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
    }
    const start = `${held}-01`;
    expect(result.status).toBe('succeeded');
    expect(result.tables[0].skippedWindows).toEqual([expect.stringMatching(new RegExp(`^${start}\\.\\.`))]);
    const left = await count(db.sql, TABLE);
    expect(left).toBe(await count(db.sql, TABLE, `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') = '${held}'`));
    expect(left).toBeGreaterThan(0);

    expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: left });
    expect(await count(db.sql, TABLE)).toBe(0);
  });

  it('a failure in one window stops the other: nothing is left written or verified, and every row is in the table or a purged archive', async () => {
    await reseed();
    let sealed = 0;
    hooks.afterVerify = () => {
      if (++sealed === 3) throw new Error('the store went away');
    };
    await expect(app.archival.run('log-archival')).rejects.toThrow('the store went away');
    const [run] = await app.catalog.listRuns({ job: 'log-archival', limit: 1 });
    const { rows: [left] } = await db.sql.query(
      `SELECT count(*) FILTER (WHERE status IN ('written', 'verified'))::int AS unfinished,
              coalesce(sum(row_count) FILTER (WHERE status = 'purged'), 0)::int AS purged
         FROM archived_partitions WHERE table_name = $1 AND run_id = $2`,
      [TABLE, run.id],
    );
    expect(left.unfinished).toBe(0);
    expect(left.purged + (await count(db.sql, TABLE))).toBe(ROWS);
    // Every live archive's manifest links to a manifest still on the volume (a failed window's verified archive keeps its manifest).
    const { rows: linked } = await db.sql.query(`SELECT manifest_path FROM archived_partitions WHERE table_name = $1 AND status = 'purged'`, [TABLE]);
    const onVolume = new Set<string>();
    for (const path of (await readdir(app.archiveDir, { recursive: true })).filter((p) => p.endsWith('.manifest.json'))) {
      onVolume.add(createHash('sha256').update(await readFile(join(app.archiveDir, path))).digest('hex'));
    }
    for (const { manifest_path } of linked) {
      const previous = (await readManifest(app.archiveDir, manifest_path)).previousManifestSha256;
      if (previous !== null) expect(onVolume.has(previous)).toBe(true);
    }
    // No window lock outlives the run: the next run takes every window.
    expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded' });
    expect(await count(db.sql, TABLE)).toBe(0);
  });

  it("a partitioned table's windows go one at a time (a partition drop locks the parent), and every month leaves", async () => {
    await partitionLogTable(db.sql, FIXED_NOW);
    await seedLogs(db.sql, { rows: ROWS, from: daysAgo(220), now: daysAgo(100) });
    const logs = captureLogs();
    logs.install();
    try {
      expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: ROWS });
    } finally {
      logs.restore();
    }
    expect(logs.events('parallelism.off')).toEqual([expect.objectContaining({ table: TABLE })]);
    expect(logs.events('partition.dropped').length).toBeGreaterThanOrEqual(4);
    expect(await count(db.sql, TABLE)).toBe(0);
  });
});
