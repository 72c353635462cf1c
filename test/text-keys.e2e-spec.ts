import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { restoreArchive, rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';

/** Keys that need escaping in JSON and in COPY text: the key log must carry them exactly to the purge. */
const KEYS = ['plain', 'tab\there', 'new\nline', 'back\\slash', 'quote"d', 'cr\rlf', 'ünïcødé 😀', ' lead and trail ', '\\N', 'comma,semi;'];

describe('text primary keys with characters that need escaping', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.query(`CREATE TABLE notes (code text PRIMARY KEY, body text, at timestamptz NOT NULL)`);
    await db.sql.query(`CREATE TABLE note_tags (id serial PRIMARY KEY, code text NOT NULL REFERENCES notes (code), tag text)`);
    for (const [i, key] of KEYS.entries()) {
      await db.sql.query(`INSERT INTO notes VALUES ($1, $2, $3)`, [key, `body ${i}`, new Date(FIXED_NOW.getTime() - (100 + i) * 86_400_000)]);
      await db.sql.query(`INSERT INTO note_tags (code, tag) VALUES ($1, 'a'), ($1, 'b')`, [key]);
    }
    await db.sql.query(`CREATE TABLE notes_before AS SELECT * FROM notes; CREATE TABLE tags_before AS SELECT * FROM note_tags`);
    app = await createArchivalApp(db.url, { module: {
      maxRowsPerFile: 3, tables: [{ job: 'notes-archival', table: 'notes', key: 'code', time: 'at', retentionDays: 30, children: [{ table: 'note_tags', foreignKey: 'code' }] }],
    } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('archives, purges and restores every row and its children exactly', async () => {
    const report = await app.archival.run('notes-archival');
    // The notes and their two tags each, children counted in the run's totals.
    expect(report).toMatchObject({ status: 'succeeded', rows: 3 * KEYS.length });
    expect(report.tables[0]).toMatchObject({ rows: KEYS.length, children: [{ table: 'note_tags', rows: 2 * KEYS.length }] });
    expect(await count(db.sql, 'notes')).toBe(0);
    expect(await count(db.sql, 'note_tags')).toBe(0);
    const archives = await app.catalog.listArchives({ job: 'notes-archival' });
    const parents = archives.filter((a) => a.tableName === 'notes');
    expect(parents.map((a) => a.minPk).every((k) => KEYS.includes(k!))).toBe(true);
    // Restore parents first (the children reference them).
    for (const archive of [...parents, ...archives.filter((a) => a.tableName === 'note_tags')]) {
      await restoreArchive(app, db.sql, archive, archive.tableName);
    }
    expect(await rowDifference(db.sql, 'notes_before', 'notes')).toBe(0);
    expect(await rowDifference(db.sql, 'tags_before', 'note_tags')).toBe(0);
  });
});
