import request from 'supertest';
import { cli } from './harness/cli';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { daysAgo } from './harness/clock';

const TOKEN = 'export-token-abcdefghijklmnopqrstuvwx';

describe('export of one entity\'s full history', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const api = () => request(app.server as never);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { adminToken: TOKEN, maxRowsPerFile: 50 }, http: true });
    // 300 sessions, old and new, 3 deltas each, inserted in reverse seq order so key order is what "in order" means.
    await db.sql.query(
      `INSERT INTO flow_execution_sessions (id, status, history, created_at)
       SELECT md5('s' || i)::uuid, 'completed', jsonb_build_array(i), $1::timestamptz + i * interval '12 hours' FROM generate_series(1, 300) i`,
      [daysAgo(150)],
    );
    await db.sql.query(
      `INSERT INTO flow_execution_deltas (session_id, seq, delta) SELECT s.id, d, jsonb_build_object('d', d) FROM flow_execution_sessions s, generate_series(1, 3) d ORDER BY d`,
    );
    await db.sql.query(`CREATE TABLE deltas_before AS SELECT * FROM flow_execution_deltas`);
    expect((await app.archival.run('session-archival')).status).toBe('succeeded');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const parse = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

  it('returns an archived session and its deltas from the archives, found through the catalog, in order', async () => {
    const archived = (await db.sql.query(`SELECT md5('s10')::uuid::text AS id`)).rows[0].id;
    const response = await api().get(`/admin/archival/export?job=session-archival&id=${archived}`).set('Authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('application/x-ndjson');
    const rows = parse(response.text);
    expect(rows.map((r) => [r.table, r.source])).toEqual([
      ['flow_execution_sessions', 'archive'],
      ['flow_execution_deltas', 'archive'], ['flow_execution_deltas', 'archive'], ['flow_execution_deltas', 'archive'],
    ]);
    expect(rows[0].row).toMatchObject({ id: archived, history: [10] });
    const expected = (await db.sql.query(`SELECT id::text FROM deltas_before WHERE session_id = $1 ORDER BY id`, [archived])).rows.map((r) => r.id);
    expect(rows.slice(1).map((r) => r.row.id)).toEqual(expected);
    expect(rows.slice(1).map((r) => r.row.seq)).toEqual([1, 2, 3]);
    expect(rows[1].archive).toMatch(/^public\.flow_execution_deltas\/year=\d{4}\/month=\d{2}\//);
  });

  it('returns a session still in the hot tables from there, also from the CLI', async () => {
    const hot = (await db.sql.query(`SELECT md5('s290')::uuid::text AS id`)).rows[0].id;
    const result = await cli(['export', 'session-archival', hot], { DATABASE_URL: db.url, ARCHIVAL_PATH: app.archiveDir });
    expect(result.code).toBe(0);
    const rows = parse(result.out);
    expect(rows.map((r) => [r.table, r.source])).toEqual([
      ['flow_execution_sessions', 'hot'], ['flow_execution_deltas', 'hot'], ['flow_execution_deltas', 'hot'], ['flow_execution_deltas', 'hot'],
    ]);
    expect(rows.slice(1).map((r) => r.row.seq)).toEqual([1, 2, 3]);
  });

  it('answers 400 for a malformed key and 404 for an unknown job', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const bad = await api().get('/admin/archival/export?job=session-archival&id=not-a-uuid').set(auth);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('"not-a-uuid" is not a valid uuid key of flow_execution_sessions');
    expect((await api().get('/admin/archival/export?job=nope&id=1').set(auth)).status).toBe(404);
  });

  it('a key found nowhere is not found, over REST (404) and from the CLI (exit 1), naming it', async () => {
    const nowhere = (await db.sql.query(`SELECT md5('no such session')::uuid::text AS id`)).rows[0].id;
    const response = await api().get(`/admin/archival/export?job=session-archival&id=${nowhere}`).set('Authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(404);
    expect(response.body.message).toContain(`session-archival has no entity with key "${nowhere}"`);
    const result = await cli(['export', 'session-archival', nowhere], { DATABASE_URL: db.url, ARCHIVAL_PATH: app.archiveDir });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`session-archival has no entity with key "${nowhere}"`);
    expect(result.out).toBe('');
  });
});
