import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveCodecs } from '../src/archival/codec/archive-codec';
import { keyIdOf } from '../src/archival/codec/encryption';
import { loadArchive } from '../src/archival/readback/archive-loader';
import { STORAGE_PROVIDER, StorageProvider } from '../src/archival/storage/storage-provider.interface';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { readManifest, restoreArchive, rowDifference } from './harness/archives';
import { manifestColumns } from '../src/archival/engine/manifest';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';

const KEY = randomBytes(32);
const SECRET_TEXT = 'patient-record-4471-confidential';

describe('client-side encrypted archives', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url, { module: { encryptionKey: KEY.toString('base64'), compression: 'none' } });
    await db.sql.query(
      `INSERT INTO flow_execution_logs (level, message, created_at)
       SELECT 'info', $2 || ' ' || i, $1::timestamptz + i * interval '1 minute' FROM generate_series(1, 2000) i`,
      [new Date(FIXED_NOW.getTime() - 200 * 86_400_000).toISOString(), SECRET_TEXT],
    );
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);
    await db.sql.query(`CREATE TABLE restored (LIKE flow_execution_logs INCLUDING ALL)`);
    expect((await app.archival.run('log-archival')).status).toBe('succeeded');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const onlyArchive = async () => (await app.catalog.listArchives({ table: 'flow_execution_logs' }))[0];

  it('stores no plaintext, even uncompressed; the manifest names the algorithm, key id and nonce', async () => {
    const archive = await onlyArchive();
    expect(archive.archivePath).toMatch(/\.jsonl\.enc$/);
    expect(archive.encrypted).toBe(true);
    const stored = await readFile(join(app.archiveDir, archive.archivePath));
    expect(stored.includes(SECRET_TEXT)).toBe(false);
    expect(stored.includes('flow_execution_logs')).toBe(false);
    const manifest = await readManifest(app.archiveDir, archive.manifestPath);
    expect(manifest.encryption).toEqual({ algorithm: 'AES-256-GCM', keyId: keyIdOf(KEY), nonce: expect.stringMatching(/^[0-9a-f]{24}$/) });
  });

  it('restores with the right key to the exact rows', async () => {
    await restoreArchive(app, db.sql, await onlyArchive(), 'restored');
    expect(await rowDifference(db.sql, 'original', 'restored')).toBe(0);
  });

  it('refuses a wrong key by name and a missing key clearly, inserting nothing', async () => {
    const archive = await onlyArchive();
    const manifest = await readManifest(app.archiveDir, archive.manifestPath);
    const storage = app.context.get<StorageProvider>(STORAGE_PROVIDER);
    const columns = manifestColumns(manifest);
    await db.sql.query('TRUNCATE restored');
    const otherKey = randomBytes(32);
    const wrong = await ArchiveCodecs.create({ format: 'json', compression: 'none', encryptionKey: otherKey });
    await db.sql.query('BEGIN');
    await expect(
      loadArchive(db.sql, storage, wrong.of(archive, archive.archivePath), { archivePath: archive.archivePath, columns, keyColumn: 'id', target: 'restored' }),
    ).rejects.toThrow(`was encrypted with key id ${keyIdOf(KEY)}, but ARCHIVAL_ENCRYPTION_KEY has key id ${keyIdOf(otherKey)}: wrong key`);
    await db.sql.query('ROLLBACK');
    expect(await count(db.sql, 'restored')).toBe(0);

    const none = await ArchiveCodecs.create({ format: 'json', compression: 'none' });
    expect(() => none.of(archive, archive.archivePath)).toThrow(
      /is encrypted \(AES-256-GCM\) but ARCHIVAL_ENCRYPTION_KEY is not set/,
    );
  });
});
