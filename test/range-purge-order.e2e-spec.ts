/**
 * How the ranged DELETE's (key, xmin) sequence is checked (engine/range-purge.ts):
 * streamed back with COPY in the order the plan deletes rows when that plan
 * walks the key's index, sorted by the server first when it does not (rows
 * stored out of key order come back in storage order), and hashed by the
 * server for a key type whose COPY text needs escaping. Each database here
 * fixes its planner settings, so the plan, and with it the path, is known.
 */
import { FIXED_NOW } from './harness/archival-app';
import { DAY_MS, monthStart } from './harness/clock';
import { TestDatabase } from './harness/database';
import { purgeWorld } from './harness/purge-world';
import { count } from './harness/seed';

/**
 * `rows` log rows of one old month, inserted in descending key order (stored
 * out of key order), their times rising as their keys fall: neither storage
 * order nor the time column's index gives key order.
 */
async function seedDescending(db: TestDatabase, rows: number): Promise<void> {
  const month = monthStart(FIXED_NOW, -6);
  await db.sql.query(
    `INSERT INTO flow_execution_logs (id, message, created_at)
     SELECT i, 'row ' || i, $2::timestamptz + ($1::int + 1 - i) * interval '1 second' FROM generate_series($1::int, 1, -1) i`,
    [rows, month.toISOString()],
  );
}

describe.each([
  // One index left, so the planner walks that one.
  { plan: 'an index scan on the key', settings: 'enable_seqscan = off; enable_bitmapscan = off', prepare: 'DROP INDEX flow_execution_logs_created_at_idx', check: 'scan-order' },
  {
    plan: 'an index scan on the time column',
    settings: 'enable_seqscan = off; enable_bitmapscan = off',
    prepare: 'ALTER TABLE flow_execution_logs DROP CONSTRAINT flow_execution_logs_pkey',
    check: 'sorted',
  },
  {
    // A forward scan of a descending index deletes in descending key order.
    plan: 'a descending index on the key',
    settings: 'enable_seqscan = off; enable_bitmapscan = off',
    prepare: `ALTER TABLE flow_execution_logs DROP CONSTRAINT flow_execution_logs_pkey;
      DROP INDEX flow_execution_logs_created_at_idx; CREATE INDEX logs_id_desc ON flow_execution_logs (id DESC)`,
    check: 'sorted',
  },
  { plan: 'no index scan (rows in storage order)', settings: 'enable_indexscan = off', prepare: undefined, check: 'sorted' },
])('the ranged purge under $plan', ({ settings, prepare, check }) => {
  const world = purgeWorld({
    prepare: async (db) => {
      for (const setting of settings.split('; ')) await db.sql.query(`ALTER DATABASE ${db.name} SET ${setting}`);
      if (prepare) await db.sql.query(prepare);
    },
    module: { maxRowsPerFile: 100_000 },
  });
  const batches = () => world.batches().map(({ rows, method, check: taken }) => ({ rows, method, check: taken }));

  it(`deletes rows stored out of key order with one DELETE, checked ${check}`, async () => {
    await seedDescending(world.db, 3_000);
    expect(await world.app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: 3_000 });
    expect(batches()).toEqual([{ rows: 3_000, method: 'range', check }]);
    expect(await count(world.db.sql, 'flow_execution_logs')).toBe(0);
  });

  it(`a row updated after it was read is a mismatch (${check}): nothing is deleted by the range, the staged purge keeps the row`, async () => {
    await seedDescending(world.db, 800);
    world.afterVerify(() => world.db.sql.query(`UPDATE flow_execution_logs SET message = 'edited during the run' WHERE id = 400`));
    await expect(world.app.archival.run('log-archival')).rejects.toThrow(/purge of .* rolled back/);
    expect(batches()).toEqual([
      { rows: 800, method: 'range-mismatch', check },
      { rows: 799, method: 'staged', check: undefined },
    ]);
    expect(await count(world.db.sql, 'flow_execution_logs')).toBe(800);
    expect(await world.app.archival.run('log-archival')).toMatchObject({ status: 'succeeded', rows: 800 });
    expect(await count(world.db.sql, 'flow_execution_logs')).toBe(0);
  });
});

describe('the ranged purge of a text key', () => {
  const world = purgeWorld({
    prepare: async (db) => {
      await db.sql.query(`CREATE TABLE notes (code text PRIMARY KEY, body text, at timestamptz NOT NULL)`);
      await db.sql.query(
        `INSERT INTO notes SELECT 'note ' || i || E'\\t\\\\' || chr(8), 'body', $1::timestamptz - i * interval '1 minute' FROM generate_series(1, 500) i`,
        [new Date(FIXED_NOW.getTime() - 100 * DAY_MS).toISOString()],
      );
    },
    module: { tables: [{ job: 'notes-archival', table: 'notes', key: 'code', time: 'at', retentionDays: 30 }] },
  });

  it('is hashed by the server, the keys escaped as COPY text: tab, backslash and a backspace', async () => {
    expect(await world.app.archival.run('notes-archival')).toMatchObject({ status: 'succeeded', rows: 500 });
    expect(world.batches().map(({ rows, method, check }) => ({ rows, method, check }))).toEqual([{ rows: 500, method: 'range', check: 'aggregate' }]);
    expect(await count(world.db.sql, 'notes')).toBe(0);
  });

  it('a row updated after it was read is a mismatch (aggregate): nothing is deleted by the range, the staged purge keeps the row', async () => {
    await world.db.sql.query(
      `INSERT INTO notes SELECT 'again ' || i || E'\\\\', 'body', $1::timestamptz - i * interval '1 minute' FROM generate_series(1, 300) i`,
      [new Date(FIXED_NOW.getTime() - 100 * DAY_MS).toISOString()],
    );
    world.afterVerify(() => world.db.sql.query(`UPDATE notes SET body = 'edited during the run' WHERE code = E'again 7\\\\'`));
    await expect(world.app.archival.run('notes-archival')).rejects.toThrow(/purge of .* rolled back/);
    expect(world.batches().map(({ rows, method, check }) => ({ rows, method, check }))).toEqual([
      { rows: 300, method: 'range-mismatch', check: 'aggregate' },
      { rows: 299, method: 'staged', check: undefined },
    ]);
    expect(await count(world.db.sql, 'notes')).toBe(300);
    expect(await world.app.archival.run('notes-archival')).toMatchObject({ status: 'succeeded', rows: 300 });
    expect(await count(world.db.sql, 'notes')).toBe(0);
  });
});

describe('the ranged purge when the DELETE fails after its last row', () => {
  const world = purgeWorld({
    // A statement-level AFTER trigger: it runs once the rows are out, after COPY's CopyDone; its NOTICE goes first.
    prepare: (db) => db.sql.query(`
      CREATE FUNCTION refuse_log_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE NOTICE 'checking the delete';
        PERFORM pg_sleep(0.2);
        RAISE EXCEPTION 'log deletes are refused today';
      END $$;
      CREATE TRIGGER refuse_log_deletes AFTER DELETE ON flow_execution_logs FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_deletes()`),
    module: { maxRowsPerFile: 100_000 },
  });

  it('rolls the range back and lets the staged purge meet the same error: the run fails with it, every row stays', async () => {
    await seedDescending(world.db, 1_000);
    await expect(world.app.archival.run('log-archival')).rejects.toThrow(/log deletes are refused today/);
    // The range's DELETE counted for nothing; the staged one raised before its batch line.
    expect(world.batches().map(({ rows, method }) => ({ rows, method }))).toEqual([{ rows: 0, method: 'range-mismatch' }]);
    expect(await count(world.db.sql, 'flow_execution_logs')).toBe(1_000);
  });
});
