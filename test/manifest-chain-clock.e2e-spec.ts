/**
 * The manifest hash chain follows the order archives were sealed even when
 * the database's clock steps back (an NTP correction, a failover to a server
 * whose clock is behind): links follow a number taken under the chain lock,
 * not the seal time, so a link never goes to an archive sealed before the
 * last one and the chain never forks; the seal times stay as the clock read
 * them.
 */
import { VerifyService } from '../src/archival/readback/verify.service';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { readManifest } from './harness/archives';
import { daysAgo } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { faultHooks, onFirstCall } from './harness/fault-hooks';
import { seedLogs } from './harness/seed';

const TABLE = 'flow_execution_logs';

describe('the manifest chain under a clock that steps back', () => {
  const hooks = faultHooks();
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { presets: ['log-archival'], maxRowsPerFile: 100, batchSize: 50 }, hooks });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('links each archive to the one sealed just before it, after the clock went back an hour', async () => {
    // Four parts or more of 100 rows (one or two month windows), sealed one after another.
    await seedLogs(db.sql, { rows: 400, from: daysAgo(200), now: daysAgo(190) });
    // Once the first archive is sealed the clock "steps back": its seal time now lies an hour ahead of every later reading.
    hooks.afterVerify = onFirstCall(async () => {
      await db.sql.query(
        `UPDATE archived_partitions SET verified_at = verified_at + interval '1 hour' WHERE table_name = $1 AND status = 'verified'`, [TABLE],
      );
    });
    const result = await app.archival.run('log-archival');
    expect(result).toMatchObject({ status: 'succeeded', rows: 400 });

    // One window at a time, its parts sealed in part order (ids are taken as parts start, two at once, so not in that order).
    const { rows: archives } = await db.sql.query(
      `SELECT id, manifest_path, manifest_sha256 FROM archived_partitions WHERE table_name = $1 ORDER BY start_date, archive_path`, [TABLE],
    );
    expect(archives.length).toBeGreaterThanOrEqual(4);
    let previous: string | null = null;
    for (const archive of archives) {
      expect((await readManifest(app.archiveDir, archive.manifest_path)).previousManifestSha256).toBe(previous);
      previous = archive.manifest_sha256;
    }
    // The chain's numbers follow the seals; the seal times stay as the clock read them (the first an hour ahead of the rest).
    const { rows: order } = await db.sql.query(
      `SELECT chain_seq::int AS seq, verified_at > (SELECT min(verified_at) + interval '30 minutes' FROM archived_partitions WHERE table_name = $1) AS ahead
         FROM archived_partitions WHERE table_name = $1 ORDER BY start_date, archive_path`, [TABLE],
    );
    expect(order.map((r) => r.seq)).toEqual(order.map((_, i) => i + 1));
    expect(order.map((r) => r.ahead)).toEqual(order.map((_, i) => i === 0));
    expect((await app.context.get(VerifyService).verify({ table: TABLE })).problems).toEqual([]);
  });
});
