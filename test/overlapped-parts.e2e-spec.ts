/**
 * A full-speed run, JSON Lines or Parquet, writes a window's parts two at a time
 * (engine/overlapped-parts.ts): each part a key range fixed before it
 * starts, so no row is in two parts; part numbers, the manifest chain and
 * the purges follow key order; rows inserted during the run that fill the
 * last part are taken by parts after it; a failure in one part stops the
 * part beside it and the run, with nothing half done, and the next run
 * takes what is left.
 */
import { Client } from 'pg';
import { VerifyService } from '../src/archival/readback/verify.service';
import { RestoreService } from '../src/archival/restore/restore.service';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { readManifest } from './harness/archives';
import { monthStart, FIXED_NOW, DAY_MS } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { faultHooks, onFirstCall } from './harness/fault-hooks';
import { until } from './harness/poll';
import { count, seedLogs } from './harness/seed';

const ROWS = 2_000;
const TABLE = 'flow_execution_logs';

type Part = { part: number; status: string; rows: number; first: string; last: string; manifest_path: string; manifest_sha256: string };

async function partsOf(db: TestDatabase): Promise<Part[]> {
  return (await db.sql.query(
    `SELECT part, status, row_count::int AS rows, min_pk::int8 AS first, max_pk::int8 AS last, manifest_path, manifest_sha256
       FROM archived_partitions WHERE table_name = $1 ORDER BY part`, [TABLE],
  )).rows as Part[];
}

async function reseedLogs(db: TestDatabase): Promise<void> {
  await db.sql.query(`TRUNCATE ${TABLE}; DELETE FROM archived_partitions`);
  const month = monthStart(FIXED_NOW, -6);
  await seedLogs(db.sql, { rows: ROWS, from: month, now: new Date(month.getTime() + 20 * DAY_MS) });
}

/** Four parts of 500, the first held inside its write until the second is on record: only two at a time get there. */
async function expectTwoAtOnce(db: TestDatabase, app: ArchivalTestApp, hooks: ReturnType<typeof faultHooks>): Promise<void> {
  await reseedLogs(db);
  hooks.afterWrite = onFirstCall(async () => {
    // The first part, on record but still inside its write, waits for the second to be on record too: one part at a time never gets there.
    await until(
      async () => (await db.sql.query(`SELECT count(*)::int AS n FROM archived_partitions WHERE table_name = $1 AND part = 2`, [TABLE])).rows[0].n,
      (n) => n >= 1,
      'a second part written while the first one waits',
    );
  });
  expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: ROWS });
  expect(await count(db.sql, TABLE)).toBe(0);
  const parts = await partsOf(db);
  expect(parts.map((p) => [p.part, p.status, p.rows])).toEqual([1, 2, 3, 4].map((n) => [n, 'purged', 500]));
  // Disjoint key ranges, ascending with the part number.
  for (let i = 1; i < parts.length; i++) expect(BigInt(parts[i].first)).toBeGreaterThan(BigInt(parts[i - 1].last));
  let previous: string | null = null;
  for (const part of parts) {
    expect((await readManifest(app.archiveDir, part.manifest_path)).previousManifestSha256).toBe(previous);
    previous = part.manifest_sha256;
  }
  expect((await app.context.get(VerifyService).verify({ table: TABLE })).problems).toEqual([]);
}

describe('the parts of a window written two at a time', () => {
  const hooks = faultHooks();
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const archives = () => partsOf(db);
  const reseed = () => reseedLogs(db);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { presets: ['log-archival'], maxRowsPerFile: 500, batchSize: 100 }, hooks });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('writes the next part while one is still being written, every row once, in key order', async () => {
    await expectTwoAtOnce(db, app, hooks);
  });

  it('purges two parts at once: the second is purged while the first one\'s delete waits on a row lock', async () => {
    await reseed();
    const locker = new Client({ connectionString: db.url });
    await locker.connect();
    let secondPurgedFirst: Promise<boolean> | undefined;
    hooks.afterVerify = async () => {
      if (secondPurgedFirst) return;
      // Part 1 is verified: a transaction of the API's locks its first row, so part 1's delete waits on it.
      await locker.query('BEGIN');
      await locker.query(`SELECT id FROM ${TABLE} ORDER BY id LIMIT 1 FOR UPDATE`);
      const purgedParts = async () =>
        (await db.sql.query(`SELECT array_agg(part ORDER BY part) AS parts FROM archived_partitions WHERE table_name = $1 AND status = 'purged'`, [TABLE])).rows[0]
          .parts as number[] | null;
      // Let go once part 2 is purged; one purge at a time never gets there (part 2's waits for part 1's), then let go anyway.
      secondPurgedFirst = until(purgedParts, (parts) => (parts?.length ?? 0) >= 1, 'a part purged while part 1 waits', 10_000).then(
        () => true,
        () => false,
      );
      void secondPurgedFirst.then(() => locker.query('COMMIT')).catch(() => undefined);
    };
    try {
      expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: ROWS });
      expect(await secondPurgedFirst).toBe(true);
    } finally {
      hooks.afterVerify = undefined;
      await locker.end();
    }
    expect(await count(db.sql, TABLE)).toBe(0);
    expect((await archives()).map((p) => p.status)).toEqual(['purged', 'purged', 'purged', 'purged']);
    expect((await app.context.get(VerifyService).verify({ table: TABLE })).problems).toEqual([]);
  });

  it('restored archives whose rows two parts purged at once take again: each superseded, in one run, no deadlock', async () => {
    await reseed();
    // Archived first in parts of 1,000 rows, restored, then taken again in parts of 500: each restored archive spans two
    // parts written, and purged, at once.
    const wide = await createArchivalApp(db.url, { module: { presets: ['log-archival'], storage: app.archiveDir, maxRowsPerFile: 1_000, batchSize: 100 } });
    let restoredIds: number[];
    try {
      expect(await wide.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: ROWS });
      const [first] = await wide.catalog.listArchives({ table: TABLE, status: 'purged', limit: 1 });
      const restored = await wide.context.get(RestoreService).restore({ table: TABLE, from: first.startDate, to: first.endDate }, 'cli');
      restoredIds = restored.archives.map((a) => a.id);
      expect(restoredIds).toHaveLength(2);
    } finally {
      await wide.close();
    }
    expect(await count(db.sql, TABLE)).toBe(ROWS);
    // The restored archives' catalog rows are held, so both purges of the first two parts reach them, each having struck
    // its own keys, before either goes on: where, taking turns only there, they would deadlock.
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT id FROM archived_partitions WHERE id = ANY($1) FOR UPDATE`, [restoredIds]);
    const waiting = async () =>
      (await db.sql.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type IN ('Lock') AND pid <> $1`, [
        (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid,
      ])).rows[0].n as number;
    const released = until(waiting, (n) => n >= 2, 'both purges waiting', 10_000)
      .catch(() => undefined)
      .then(() => holder.query('COMMIT'))
      .catch(() => undefined);
    try {
      expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: ROWS });
    } finally {
      await released;
      await holder.end();
    }
    expect(await count(db.sql, TABLE)).toBe(0);
    for (const id of restoredIds) expect(await app.catalog.findArchive(id)).toMatchObject({ status: 'superseded' });
    const live = (await archives()).filter((p) => p.status === 'purged');
    expect(live.map((p) => p.rows)).toEqual([500, 500, 500, 500]);
    expect((await app.context.get(VerifyService).verify({ table: TABLE })).problems).toEqual([]);
  });

  it('goes on after a last part that rows inserted during the run filled: every row archived once, none left behind', async () => {
    await reseed();
    hooks.afterWrite = onFirstCall(async () => {
      // Planned: 2,000 rows, four parts. 300 more of the same month arrive, with keys above every planned one.
      const month = monthStart(FIXED_NOW, -6);
      await db.sql.query(
        `INSERT INTO ${TABLE} (session_id, node_id, level, message, data, created_at)
         SELECT gen_random_uuid(), 'late', 'info', 'late row ' || i, '{}'::jsonb, $1::timestamptz + i * interval '1 second' FROM generate_series(1, 300) i`,
        [new Date(month.getTime() + 25 * DAY_MS).toISOString()],
      );
    });
    expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: ROWS + 300 });
    expect(await count(db.sql, TABLE)).toBe(0);
    const parts = await archives();
    // Part numbers go on from the earlier tests' (the allocator never reuses one): five in a row.
    expect(parts.map((p) => [p.part - parts[0].part, p.status, p.rows])).toEqual([[0, 'purged', 500], [1, 'purged', 500], [2, 'purged', 500], [3, 'purged', 500], [4, 'purged', 300]]);
    for (let i = 1; i < parts.length; i++) expect(BigInt(parts[i].first)).toBeGreaterThan(BigInt(parts[i - 1].last));
    expect((await app.context.get(VerifyService).verify({ table: TABLE })).problems).toEqual([]);
  });

  it('a part that fails while the next is written stops the run: nothing half done, every row in the table or in one purged archive', async () => {
    await reseed();
    let written = 0;
    hooks.afterWrite = () => {
      if (++written === 2) throw new Error('the volume went away');
    };
    await expect(app.archival.run('log-archival')).rejects.toThrow(/the volume went away/);
    const after = await archives();
    expect(after.filter((p) => p.status === 'written' || p.status === 'verified')).toEqual([]);
    const purged = after.filter((p) => p.status === 'purged').reduce((sum, p) => sum + p.rows, 0);
    expect(purged + (await count(db.sql, TABLE))).toBe(ROWS);

    hooks.afterWrite = undefined;
    expect(await app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: ROWS - purged });
    expect(await count(db.sql, TABLE)).toBe(0);
    const all = (await archives()).filter((p) => p.status === 'purged');
    expect(all.reduce((sum, p) => sum + p.rows, 0)).toBe(ROWS);
    expect((await app.context.get(VerifyService).verify({ table: TABLE })).problems).toEqual([]);
  });
});

describe('the parts of a Parquet window written two at a time', () => {
  const hooks = faultHooks();
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { presets: ['log-archival'], maxRowsPerFile: 500, batchSize: 100, format: 'parquet', compression: 'zstd' }, hooks });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('writes the next part while one is still being written, every row once, in key order', async () => {
    await expectTwoAtOnce(db, app, hooks);
  });
});
