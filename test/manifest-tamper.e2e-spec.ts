import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { ArchivedPartition } from '../src/archival/catalog/archived-partition.entity';
import { Manifest } from '../src/archival/engine/manifest';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { cli } from './harness/cli';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';

const TOKEN = 'tamper-test-token-0123456789abcdefghij';
/** What an attacker with write access to the bucket would paste into a column type. */
const INJECTED = `jsonb) || (SELECT lo_create(0))::text::jsonb; CREATE TABLE pwned (x int); --`;

/**
 * A manifest is data, never code: an edited manifest stops the restore with an
 * error that names the edit, runs no SQL from it and inserts nothing.
 */
describe('a tampered manifest', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  let archive: ArchivedPartition;
  let original: Buffer;
  const api = () => request(app.server as never);
  const manifestFile = () => join(app.archiveDir, archive.manifestPath);
  const tamper = async (edit: (m: Manifest) => void) => {
    const manifest = JSON.parse(original.toString('utf8')) as Manifest;
    edit(manifest);
    await writeFile(manifestFile(), `${JSON.stringify(manifest, null, 2)}\n`);
  };
  const largeObjects = async () => (await db.sql.query(`SELECT count(*)::int AS n FROM pg_largeobject_metadata`)).rows[0].n as number;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedLogs(db.sql, { rows: 2_000, days: 200 });
    app = await createArchivalApp(db.url, { module: { adminToken: TOKEN }, http: true });
    expect((await app.archival.run('log-archival')).status).toBe('succeeded');
    [archive] = await app.catalog.listArchives({ table: 'flow_execution_logs', status: 'purged' });
    original = await readFile(manifestFile());
  });
  afterEach(async () => writeFile(manifestFile(), original));
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it.each<[string, (m: Manifest) => void, RegExp]>([
    ['a column type edited into SQL', (m) => { m.columns.find((c) => c.name === 'data')!.type = INJECTED; },
      /column "data" has type "jsonb\) \|\| \(SELECT lo_create.*" in the manifest, "jsonb" in the table/],
    ['the schema edited', (m) => { m.schema = 'information_schema'; }, /schema is "information_schema" in the manifest, "public" in the catalog/],
    ['a column dropped from the list', (m) => { m.columns = m.columns.filter((c) => c.name !== 'message'); },
      /column "message" of the table is missing from the manifest/],
  ])('%s: restore refuses over REST and CLI, names the edit, runs none of it and inserts nothing', async (_name, edit, named) => {
    await tamper(edit);
    const before = { rows: await count(db.sql, 'flow_execution_logs'), objects: await largeObjects() };

    const rest = await api().post('/admin/archival/restore').set({ Authorization: `Bearer ${TOKEN}` }).send({ archiveId: archive.id });
    expect(rest.status).toBe(409);
    expect(rest.body.message).toMatch(/manifest .* was altered \(SHA-256 [0-9a-f]{64}, the catalog recorded [0-9a-f]{64}\)/);
    expect(rest.body.message).toMatch(named);

    const viaCli = await cli(['restore', '--archive', String(archive.id)], { DATABASE_URL: db.url, ARCHIVAL_PATH: app.archiveDir });
    expect(viaCli.code).toBe(1);
    expect(viaCli.err).toMatch(named);

    expect(await count(db.sql, 'flow_execution_logs')).toBe(before.rows);
    expect(await largeObjects()).toBe(before.objects);
    expect((await db.sql.query(`SELECT to_regclass('pwned') AS t`)).rows[0].t).toBeNull();
    expect((await app.catalog.findArchive(archive.id))!.restoredAt).toBeNull();
  });

  it('the untouched manifest restores the archive', async () => {
    const before = await count(db.sql, 'flow_execution_logs');
    const viaCli = await cli(['restore', '--archive', String(archive.id), '--json'], { DATABASE_URL: db.url, ARCHIVAL_PATH: app.archiveDir });
    expect(viaCli.code).toBe(0);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(before + archive.rowCount);
  });
});
