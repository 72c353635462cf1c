import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';

describe('legal holds', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url);
    await seedLogs(db.sql, { rows: 2_000, days: 300, now: FIXED_NOW });
    await db.sql.query(
      `INSERT INTO flow_execution_sessions (id, status, created_at) VALUES (md5('held')::uuid, 'completed', $1), (md5('free')::uuid, 'completed', $1)`,
      [new Date(FIXED_NOW.getTime() - 200 * 86_400_000).toISOString()],
    );
    await db.sql.query(`INSERT INTO flow_execution_deltas (session_id, seq) SELECT s, d FROM unnest(ARRAY[md5('held')::uuid, md5('free')::uuid]) s, generate_series(1, 3) d`);
    await db.sql.query(`
      INSERT INTO legal_holds (table_name, key_value, reason) VALUES ('flow_execution_logs', '7', 'case 12: one log line');
      INSERT INTO legal_holds (table_name, predicate, reason) VALUES ('flow_execution_logs', 't.level = ''error''', 'case 13: all errors');
      INSERT INTO legal_holds (table_name, key_value, reason) VALUES ('flow_execution_sessions', md5('held')::uuid::text, 'case 14: a session');`);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('held rows survive any number of runs; a hold on a session holds its deltas', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await app.archival.run('log-archival')).status).toBe('succeeded');
      expect((await app.archival.run('session-archival')).status).toBe('succeeded');
    }
    expect(await count(db.sql, 'flow_execution_logs', 'id = 7')).toBe(1);
    const errorsOld = await count(db.sql, 'flow_execution_logs', `level = 'error' AND created_at < now() - interval '100 days'`);
    expect(errorsOld).toBeGreaterThan(0);
    expect(await count(db.sql, 'flow_execution_logs', `level <> 'error' AND id <> 7 AND created_at < '${new Date(FIXED_NOW.getTime() - 90 * 86_400_000).toISOString()}'`)).toBe(0);
    expect(await count(db.sql, 'flow_execution_sessions')).toBe(1);
    expect(await count(db.sql, 'flow_execution_deltas', `session_id = md5('held')::uuid`)).toBe(3);
    expect(await count(db.sql, 'flow_execution_deltas')).toBe(3);
  });

  it('releasing the holds lets the next run archive those rows', async () => {
    await db.sql.query(`UPDATE legal_holds SET released_at = now()`);
    await app.archival.run('log-archival');
    await app.archival.run('session-archival');
    expect(await count(db.sql, 'flow_execution_logs', 'id = 7')).toBe(0);
    expect(await count(db.sql, 'flow_execution_logs', `created_at < '${new Date(FIXED_NOW.getTime() - 90 * 86_400_000).toISOString()}'`)).toBe(0);
    expect(await count(db.sql, 'flow_execution_sessions')).toBe(0);
    expect(await count(db.sql, 'flow_execution_deltas')).toBe(0);
  });
});
