import { HookContext } from '../src/archival/engine/archival-hooks';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { faultHooks } from './harness/fault-hooks';
import { loadLines, readArchiveLines, readManifest, rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';
import { NOW_SQL, daysAgo } from './harness/clock';


describe('the built-in jobs with child tables', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const hooks = faultHooks();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(
      db.url, { module: { compression: 'zstd', maxRowsPerFile: 300, activeSessionStatuses: ['running', 'on_hold'] }, hooks },
    );
    // 1,000 sessions over 200 days, 4 deltas each; every 10th is still running, every 50th "on_hold" (configured active).
    await db.sql.query(
      `INSERT INTO flow_execution_sessions (id, status, history, created_at)
       SELECT md5('s' || i)::uuid, CASE WHEN i % 10 = 0 THEN 'running' WHEN i % 50 = 5 THEN 'on_hold' ELSE 'completed' END, '[]',
              $1::timestamptz + i * interval '4 hours'
         FROM generate_series(1, 1000) i`,
      [daysAgo(200)],
    );
    await db.sql.query(
      `INSERT INTO flow_execution_deltas (session_id, seq, delta, created_at)
       SELECT s.id, d, jsonb_build_object('d', d), s.created_at + d * interval '1 second' FROM flow_execution_sessions s, generate_series(1, 4) d`,
    );
    await db.sql.query(`CREATE TABLE sessions_before AS SELECT * FROM flow_execution_sessions`);
    await db.sql.query(`CREATE TABLE deltas_before AS SELECT * FROM flow_execution_deltas`);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('a crash between the session and delta archives purges nothing; the next run converges', async () => {
    hooks.afterWrite = ({ table }: HookContext) => {
      if (table === 'flow_execution_deltas') throw new Error('killed between parent and child');
    };
    await expect(app.archival.run('session-archival')).rejects.toThrow('killed between parent and child');
    expect(await count(db.sql, 'flow_execution_sessions')).toBe(1000);
    expect(await count(db.sql, 'flow_execution_deltas')).toBe(4000);
  });

  it('archives old finished sessions together with their deltas, and nothing else', async () => {
    const report = await app.archival.run('session-archival');
    expect(report.status).toBe('succeeded');
    const cutoff = report.tables[0].cutoff;
    const eligible = await count(db.sql, 'sessions_before', `created_at < '${cutoff}' AND status NOT IN ('running', 'on_hold')`);
    // Per table, children included, as the catalog holds them; the run's totals count both tables.
    const [sessions] = report.tables;
    expect(sessions.rows).toBe(eligible);
    const inCatalog = async (table: string) => {
      const archives = await app.catalog.listArchives({ table, status: 'purged' });
      return { rows: archives.reduce((n, a) => n + a.rowCount, 0), archives: archives.length };
    };
    expect({ rows: sessions.rows, archives: sessions.archives.length }).toEqual(await inCatalog('flow_execution_sessions'));
    expect(sessions.children).toEqual([{ table: 'flow_execution_deltas', ...(await inCatalog('flow_execution_deltas')), bytes: expect.any(Number) }]);
    expect(sessions.children[0].rows).toBe(4 * eligible);
    expect(report.rows).toBe(5 * eligible);
    expect(report.archives).toBe(sessions.archives.length + sessions.children[0].archives);
    expect(await count(db.sql, 'flow_execution_sessions')).toBe(1000 - eligible);
    expect(await count(db.sql, 'flow_execution_sessions', `status = 'running'`)).toBe(100);
    expect(await count(db.sql, 'flow_execution_sessions', `status = 'on_hold'`)).toBe(20);
    // No orphan either way: every remaining delta has its session, every archived session took its deltas.
    expect(await count(db.sql, 'flow_execution_deltas d', 'NOT EXISTS (SELECT 1 FROM flow_execution_sessions s WHERE s.id = d.session_id)')).toBe(0);
    expect(await count(db.sql, 'flow_execution_deltas')).toBe(4 * (1000 - eligible));
  });

  it('wrote each session part with a deltas archive of exactly its sessions\' deltas', async () => {
    const purged = await app.catalog.listArchives({ job: 'session-archival', status: 'purged' });
    const sessions = purged.filter((a) => a.tableName === 'flow_execution_sessions');
    const deltas = purged.filter((a) => a.tableName === 'flow_execution_deltas');
    expect(sessions.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.parentId).sort()).toEqual(sessions.map((s) => s.id).sort());
    await db.sql.query(`CREATE TABLE sessions_restored (LIKE flow_execution_sessions)`);
    await db.sql.query(`CREATE TABLE deltas_restored (LIKE flow_execution_deltas)`);
    for (const archive of purged) {
      const lines = await readArchiveLines(app.archiveDir, archive.archivePath);
      const target = archive.tableName === 'flow_execution_sessions' ? 'sessions_restored' : 'deltas_restored';
      await loadLines(db.sql, target, lines, await readManifest(app.archiveDir, archive.manifestPath));
    }
    await db.sql.query(`CREATE TABLE sessions_gone AS SELECT * FROM sessions_before b WHERE NOT EXISTS (SELECT 1 FROM flow_execution_sessions s WHERE s.id = b.id)`);
    await db.sql.query(`CREATE TABLE deltas_gone AS SELECT * FROM deltas_before b WHERE NOT EXISTS (SELECT 1 FROM flow_execution_deltas d WHERE d.id = b.id)`);
    expect(await rowDifference(db.sql, 'sessions_gone', 'sessions_restored')).toBe(0);
    expect(await rowDifference(db.sql, 'deltas_gone', 'deltas_restored')).toBe(0);
  });

  it('a delta added for an archived session mid-run rolls the purge back; the next run takes it along', async () => {
    await db.sql.query(
      `INSERT INTO flow_execution_sessions (id, status, created_at) SELECT md5('late' || i)::uuid, 'completed', $1::timestamptz + i * interval '1 minute'
         FROM generate_series(1, 10) i`,
      [daysAgo(150)],
    );
    await db.sql.query(`INSERT INTO flow_execution_deltas (session_id, seq) SELECT md5('late' || i)::uuid, 1 FROM generate_series(1, 10) i`);
    hooks.afterVerify = async ({ table }: HookContext) => {
      if (table !== 'flow_execution_deltas') return;
      delete hooks.afterVerify;
      await db.sql.query(`INSERT INTO flow_execution_deltas (session_id, seq) VALUES (md5('late1')::uuid, 99)`);
    };
    await expect(app.archival.run('session-archival')).rejects.toThrow(/rows of flow_execution_deltas were added for archived parents/);
    expect(await count(db.sql, 'flow_execution_sessions', `id = md5('late1')::uuid`)).toBe(1);
    const report = await app.archival.run('session-archival');
    expect(report.tables[0].rows).toBe(10);
    expect(report.rows).toBe(10 + 11); // the sessions and their deltas, the one added mid-run included
    expect(await count(db.sql, 'flow_execution_deltas', 'seq = 99')).toBe(0);
  });

  it('call-archival moves calls older than a year with their events', async () => {
    await db.sql.query(
      `INSERT INTO call_sessions (id, status, created_at)
       SELECT md5('c' || i)::uuid, 'completed', $1::timestamptz + i * interval '1 day' FROM generate_series(1, 100) i`,
      [daysAgo(420)],
    );
    await db.sql.query(`INSERT INTO call_events (call_session_id, event_type) SELECT c.id, e FROM call_sessions c, unnest(ARRAY['ring','hangup']) e`);
    const report = await app.archival.run('call-archival');
    const old = 54; // created 419 down to 320 days ago: i = 1..54 are older than 365 days
    expect(report.tables[0].rows).toBe(old);
    expect(report.rows).toBe(old + 2 * old); // calls and their events
    expect(await count(db.sql, 'call_sessions')).toBe(100 - old);
    expect(await count(db.sql, 'call_events')).toBe(2 * (100 - old));
  });

  it('memory-cleanup archives expired chunks as expired_chunks and deletes them', async () => {
    await db.sql.query(
      `INSERT INTO memory_chunks (id, content, expires_at)
       SELECT md5('m' || i)::uuid, 'chunk ' || i, CASE WHEN i % 3 = 0 THEN NULL WHEN i % 3 = 1 THEN $1::timestamptz ELSE $2::timestamptz END
         FROM generate_series(1, 300) i`,
      [daysAgo(5), daysAgo(-5)],
    );
    const report = await app.archival.run('memory-cleanup');
    expect(report.rows).toBe(100);
    expect(await count(db.sql, 'memory_chunks')).toBe(200);
    expect(await count(db.sql, 'memory_chunks', `expires_at < ${NOW_SQL}`)).toBe(0);
    const [archive] = await app.catalog.listArchives({ job: 'memory-cleanup' });
    expect(archive.archivePath).toMatch(/^public\.expired_chunks\/year=\d{4}\/month=\d{2}\/expired_chunks_\d{4}-\d{2}-01_to_\d{4}-\d{2}-\d{2}_part-0001-[0-9a-f]{12}\.jsonl\.zst$/);
    expect(await readArchiveLines(app.archiveDir, archive.archivePath)).toHaveLength(100);
  });
});
