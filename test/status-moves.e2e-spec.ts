import { Client } from 'pg';
import { StatusMoveError } from '../src/archival/archival.errors';
import { moveArchive, moveArchiveIfFree, moveRun } from '../src/archival/catalog/status-moves';
import { ARCHIVE_MOVES, ARCHIVE_STATUSES, ArchiveStatus, RUN_MOVES, RUN_STATUSES, RunStatus } from '../src/archival/catalog/statuses';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';

const rowsOf = (sql: Client) => async (text: string, params: unknown[]) => (await sql.query(text, params)).rows;

/** Every status move, allowed or not, against every status a row can be in. */
describe('the catalog state machine', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  let archiveId: number;
  let runId: string;
  const archiveStatus = async () => (await db.sql.query(`SELECT status, error FROM archived_partitions WHERE id = $1`, [archiveId])).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url);
    runId = (await app.catalog.startRun('log-archival', 'cli', false)).id;
    archiveId = (await app.catalog.recordWritten({
      job: 'log-archival', schemaName: 'public', tableName: 'flow_execution_logs', partitionName: 'p', part: 1,
      startDate: '2026-01-01', endDate: '2026-01-31', archivePath: 'a', manifestPath: 'a.manifest.json', storage: 'local',
      format: 'json', compression: 'gzip', encrypted: false, rowCount: 1, uncompressedSize: 1, compressedSize: 1, sha256: 'a'.repeat(64),
      contentSha256: 'b'.repeat(64), keysSha256: 'c'.repeat(64), minPk: '1', maxPk: '1', runId, parentId: null,
    })).id;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  /** One move (from → to) tried against a row in each status: it moves exactly when allowed and the row is in `from`. */
  async function expectMove<S extends string>(kind: { statuses: readonly S[]; moves: Readonly<Record<S, readonly S[]>>; table: string; id: () => string | number;
    move: (m: { from: S[]; to: S; set: Record<string, unknown> }) => Promise<void> }, from: S, to: S) {
    const allowed = kind.moves[from].includes(to);
    const row = async () => (await db.sql.query(`SELECT status, error FROM ${kind.table} WHERE id = $1`, [kind.id()])).rows[0];
    for (const actual of kind.statuses) {
      await db.sql.query(`UPDATE ${kind.table} SET status = $2, error = 'before' WHERE id = $1`, [kind.id(), actual]);
      const move = kind.move({ from: [from], to, set: { error: 'moved' } });
      if (allowed && actual === from) {
        await move;
        expect(await row()).toEqual({ status: to, error: 'moved' });
      } else {
        await expect(move).rejects.toThrow(allowed ? StatusMoveError : /is not allowed/);
        expect(await row()).toEqual({ status: actual, error: 'before' });
      }
    }
  }
  const archives = {
    statuses: ARCHIVE_STATUSES, moves: ARCHIVE_MOVES, table: 'archived_partitions', id: () => archiveId,
    move: (m: Parameters<typeof moveArchive>[2]) => moveArchive(rowsOf(db.sql), archiveId, m),
  };
  const runs = {
    statuses: RUN_STATUSES, moves: RUN_MOVES, table: 'archival_runs', id: () => runId,
    move: (m: Parameters<typeof moveRun>[2]) => moveRun(rowsOf(db.sql), runId, m),
  };

  const pairs = <S extends string>(statuses: readonly S[]) => statuses.flatMap((from) => statuses.map((to) => [from, to] as [S, S]));
  it.each(pairs<ArchiveStatus>(ARCHIVE_STATUSES))('archive %s → %s', (from, to) => expectMove(archives, from, to));
  it.each(pairs<RunStatus>(RUN_STATUSES))('run %s → %s', (from, to) => expectMove(runs, from, to));

  it('failed never overwrites purged, through the catalog service either', async () => {
    await db.sql.query(`UPDATE archived_partitions SET status = 'purged', error = NULL WHERE id = $1`, [archiveId]);
    await expect(app.catalog.markFailed(archiveId, 'late failure')).rejects.toThrow(StatusMoveError);
    expect(await app.catalog.abandonIfFree(archiveId, 'late abandon')).toBe(false);
    expect(await archiveStatus()).toEqual({ status: 'purged', error: null });
  });

  it("abandons only runs that held the job's lock, never another replica's attempt still on its way to a skip", async () => {
    const dead = await app.catalog.startRun('memory-cleanup', 'cron', false);
    await app.catalog.markLocked(dead.id);
    const waiting = await app.catalog.startRun('memory-cleanup', 'cron', false);
    const current = await app.catalog.startRun('memory-cleanup', 'cron', false);
    await app.catalog.markLocked(current.id);
    expect(await app.catalog.abandonStaleRuns('memory-cleanup', current.id)).toEqual([dead.id]);
    expect(await app.catalog.findRun(dead.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^abandoned: its process stopped/) });
    expect(await app.catalog.findRun(waiting.id)).toMatchObject({ status: 'running', error: null });
    // The waiting replica's attempt still finishes as skipped.
    await app.catalog.finishRun(waiting.id, { status: 'skipped', rows: 0, bytes: 0, archives: 0, error: 'held by another instance' });
    expect(await app.catalog.findRun(waiting.id)).toMatchObject({ status: 'skipped' });
  });

  it('an abandon skips an archive another transaction holds, and takes it once free', async () => {
    await db.sql.query(`UPDATE archived_partitions SET status = 'verified', error = NULL WHERE id = $1`, [archiveId]);
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM archived_partitions WHERE id = $1 FOR UPDATE`, [archiveId]);
      expect(await moveArchiveIfFree(rowsOf(db.sql), archiveId, { from: ['verified'], to: 'failed' })).toBe(false);
      await holder.query('ROLLBACK');
      expect(await app.catalog.abandonIfFree(archiveId, 'its run stopped')).toBe(true);
      expect(await archiveStatus()).toEqual({ status: 'failed', error: 'abandoned: its run stopped' });
    } finally {
      await holder.end();
    }
  });
});
