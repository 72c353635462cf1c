/**
 * Key rotation: archives written under key A stay readable after
 * ARCHIVAL_ENCRYPTION_KEY becomes B, as long as A is kept in
 * ARCHIVAL_ENCRYPTION_KEYS; without it, verify and restore name A's key id
 * and restore inserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdOf } from '../src/archival/codec/encryption';
import { VerifyReport } from '../src/archival/readback/verify.service';
import { ArchivalTestApp, ArchivalTestOptions, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { readManifest, rowDifference } from './harness/archives';
import { cli } from './harness/cli';
import { daysAgo } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const A_ID = keyIdOf(KEY_A);
const B_ID = keyIdOf(KEY_B);

describe('rotating the encryption key', () => {
  let db: TestDatabase;
  let archiveDir: string;
  /** The operator's environment after the rotation: B is the current key. */
  let rotated: NodeJS.ProcessEnv;

  const archiveWith = async (options: ArchivalTestOptions['module']) => {
    const app: ArchivalTestApp = await createArchivalApp(db.url, { module: { storage: archiveDir, compression: 'zstd', maxRowsPerFile: 400, ...options } });
    try {
      expect((await app.archival.run('log-archival')).status).toBe('succeeded');
      return await app.catalog.listArchives({ table: 'flow_execution_logs', limit: 1000 });
    } finally {
      await app.close();
    }
  };
  const keyIdsOf = async (archives: { manifestPath: string }[]) =>
    new Set(await Promise.all(archives.map(async (a) => (await readManifest(archiveDir, a.manifestPath)).encryption?.keyId)));

  beforeAll(async () => {
    db = await createTestDatabase();
    archiveDir = await mkdtemp(join(tmpdir(), 'archival-keyring-'));
    rotated = {
      DATABASE_URL: db.url, ARCHIVAL_PATH: archiveDir, ARCHIVAL_ENCRYPTION_KEY: KEY_B.toString('base64'),
      NODE_ENV: 'test', ARCHIVAL_TEST_NOW: FIXED_NOW.toISOString(),
    };
    await seedLogs(db.sql, { rows: 2000, from: daysAgo(400), now: daysAgo(200) });
    await db.sql.query('CREATE TABLE original AS SELECT * FROM flow_execution_logs');
    const written = await archiveWith({ encryptionKey: KEY_A });
    expect(written.length).toBeGreaterThan(4);
    expect(written.every((a) => a.status === 'purged' && a.encrypted)).toBe(true);
    expect(await keyIdsOf(written)).toEqual(new Set([A_ID]));
    expect(await count(db.sql, 'flow_execution_logs')).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
    await rm(archiveDir, { recursive: true, force: true });
  });

  const firstId = async () => String((await db.sql.query('SELECT min(id) AS id FROM original')).rows[0].id);

  it('with B alone, verify, export and restore name the missing key id and say where to add it; restore inserts nothing', async () => {
    const verify = await cli(['verify', '--json'], rotated);
    expect(verify.code).toBe(1);
    const report = JSON.parse(verify.out) as VerifyReport;
    expect(report.ok).toBe(0);
    expect(report.problems.length).toBe(report.checked);
    for (const { problem } of report.problems) {
      expect(problem).toContain(`was encrypted with key id ${A_ID}, but ARCHIVAL_ENCRYPTION_KEY has key id ${B_ID}: wrong key`);
      expect(problem).toContain('add the key it was written with to ARCHIVAL_ENCRYPTION_KEYS');
    }

    const exported = await cli(['export', 'log-archival', await firstId()], rotated);
    expect(exported.code).toBe(1);
    expect(exported.err).toContain(`was encrypted with key id ${A_ID}`);

    const restore = await cli(['restore', '--table', 'flow_execution_logs'], rotated);
    expect(restore.code).toBe(1);
    expect(restore.err).toContain(`was encrypted with key id ${A_ID}`);
    expect(restore.err).toContain('ARCHIVAL_ENCRYPTION_KEYS');
    expect(restore.err).toContain('nothing was restored');
    expect(await count(db.sql, 'flow_execution_logs')).toBe(0);
    expect(await count(db.sql, 'archived_partitions', 'restored_at IS NOT NULL')).toBe(0);
    for (const secret of [KEY_A, KEY_B]) expect(verify.out + restore.err).not.toContain(secret.toString('base64'));
  });

  it('with B current and A in ARCHIVAL_ENCRYPTION_KEYS, archives of both keys verify intact, export and restore exactly', async () => {
    // After the rotation new archives are written under B, with A kept for reading.
    await seedLogs(db.sql, { rows: 500, from: daysAgo(160), now: daysAgo(120) });
    await db.sql.query('INSERT INTO original SELECT * FROM flow_execution_logs');
    const all = await archiveWith({ encryptionKey: KEY_B, encryptionKeys: { '2025-q1': KEY_A } });
    expect(await keyIdsOf(all)).toEqual(new Set([A_ID, B_ID]));

    const withA = { ...rotated, ARCHIVAL_ENCRYPTION_KEYS: `2025-q1:${KEY_A.toString('base64')}` };
    const verify = await cli(['verify', '--json'], withA);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ checked: all.length, ok: all.length, problems: [], missing: [] });

    const exported = await cli(['export', 'log-archival', await firstId()], withA);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.out)).toMatchObject({ source: 'archive', row: { id: await firstId() } });

    const restore = await cli(['restore', '--table', 'flow_execution_logs'], withA);
    expect(restore.code).toBe(0);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(2500);
    expect(await rowDifference(db.sql, 'original', 'flow_execution_logs')).toBe(0);
  });
});
