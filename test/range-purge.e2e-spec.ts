/**
 * The purge by key range and predicate (engine/range-purge.ts) is the fast
 * path; when rows changed since they were read it falls back, inside the same
 * transaction, to the staged purge by key and xmin — so a row that became
 * eligible meanwhile stays, and a row edited meanwhile rolls the purge back.
 */
import { FIXED_NOW } from './harness/archival-app';
import { DAY_MS, monthStart } from './harness/clock';
import { purgeWorld } from './harness/purge-world';
import { count, seedLogs } from './harness/seed';

describe('purging a part by its key range', () => {
  const world = purgeWorld({ module: { maxRowsPerFile: 100_000 } });
  const batches = () => world.batches().map(({ table, rows, method }) => ({ table, rows, method }));

  it('deletes a log part with one ranged DELETE whose count and hash match the archive', async () => {
    const month = monthStart(FIXED_NOW, -6);
    await seedLogs(world.db.sql, { rows: 2_000, from: month, now: new Date(month.getTime() + 20 * DAY_MS) });
    const report = await world.app.archival.run('log-archival');
    expect(report).toMatchObject({ status: 'succeeded', rows: 2_000 });
    expect(batches()).toEqual([{ table: 'flow_execution_logs', rows: 2_000, method: 'range' }]);
    expect(await count(world.db.sql, 'flow_execution_logs')).toBe(0);
  });

  it('a row updated after it was read changes only the hash: the ranged DELETE rolls back, and the staged purge keeps the row and rolls back whole', async () => {
    const month = monthStart(FIXED_NOW, -4);
    await seedLogs(world.db.sql, { rows: 500, from: month, now: new Date(month.getTime() + 20 * DAY_MS) });
    world.afterVerify(async () => {
      await world.db.sql.query(`UPDATE flow_execution_logs SET message = 'edited during the run' WHERE id = (SELECT min(id) FROM flow_execution_logs)`);
    });
    await expect(world.app.archival.run('log-archival')).rejects.toThrow(/purge of .* rolled back/);
    // Same count, another xmin for one row: only the hash tells them apart.
    expect(batches()).toEqual([
      { table: 'flow_execution_logs', rows: 500, method: 'range-mismatch' },
      { table: 'flow_execution_logs', rows: 499, method: 'staged' },
    ]);
    expect(await count(world.db.sql, 'flow_execution_logs')).toBe(500);
    expect(await world.app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: 500 });
  });

  it('a row inserted into the range after it was read stays: the count differs, so the staged purge decides', async () => {
    const month = monthStart(FIXED_NOW, -5);
    await seedLogs(world.db.sql, { rows: 1_000, from: month, now: new Date(month.getTime() + 20 * DAY_MS) });
    const { rows: [gap] } = await world.db.sql.query(`DELETE FROM flow_execution_logs WHERE id = (SELECT min(id) + 10 FROM flow_execution_logs) RETURNING id, created_at`);
    world.afterVerify(async () => {
      await world.db.sql.query(`INSERT INTO flow_execution_logs (id, message, created_at) VALUES ($1, 'arrived late', $2)`, [gap.id, gap.created_at]);
    });
    const report = await world.app.archival.run('log-archival');
    expect(report).toMatchObject({ status: 'succeeded', rows: 999 });
    expect(batches()).toEqual([
      { table: 'flow_execution_logs', rows: 1_000, method: 'range-mismatch' },
      { table: 'flow_execution_logs', rows: 999, method: 'staged' },
    ]);
    expect((await world.db.sql.query(`SELECT message FROM flow_execution_logs`)).rows).toEqual([{ message: 'arrived late' }]);
    await world.db.sql.query(`DELETE FROM flow_execution_logs`);
  });

  it('a session that became eligible after it was read stays: the ranged DELETE took it too, so the staged purge decides', async () => {
    const created = new Date(monthStart(FIXED_NOW, -6).getTime() + DAY_MS);
    await world.db.sql.query(
      // The running session's key sits mid-range (random, it was the lowest or highest of the 300 in 1 run of 150).
      `INSERT INTO flow_execution_sessions (id, status, created_at)
       SELECT CASE WHEN i = 1 THEN '80000000-0000-4000-8000-000000000000'::uuid ELSE gen_random_uuid() END,
              CASE WHEN i = 1 THEN 'running' ELSE 'completed' END, $1::timestamptz + i * interval '1 minute'
         FROM generate_series(1, 300) i`,
      [created.toISOString()],
    );
    await world.db.sql.query(`INSERT INTO flow_execution_deltas (session_id, seq) SELECT id, 1 FROM flow_execution_sessions`);
    const running = (await world.db.sql.query(`SELECT id FROM flow_execution_sessions WHERE status = 'running'`)).rows[0].id;
    world.afterVerify(async () => {
      await world.db.sql.query(`UPDATE flow_execution_sessions SET status = 'completed' WHERE id = $1`, [running]);
    });
    const report = await world.app.archival.run('session-archival');
    expect(report).toMatchObject({ status: 'succeeded', rows: 299 + 299 });
    const sessions = batches().filter((b) => b.table === 'flow_execution_sessions');
    // The ranged DELETE also met the session that completed meanwhile, whose delta blocks it (a foreign key):
    // rolled back to its savepoint, deleting nothing.
    expect(sessions).toEqual([
      { table: 'flow_execution_sessions', rows: 0, method: 'range-mismatch' },
      { table: 'flow_execution_sessions', rows: 299, method: 'staged' },
    ]);
    expect(batches().filter((b) => b.table === 'flow_execution_deltas')).toEqual([{ table: 'flow_execution_deltas', rows: 299, method: 'staged' }]);
    expect((await world.db.sql.query(`SELECT id::text FROM flow_execution_sessions`)).rows).toEqual([{ id: running }]);
    expect(await count(world.db.sql, 'flow_execution_deltas')).toBe(1);
  });
});
