import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveFormatName, CompressionName } from '../src/archival/archival-options';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { restoreArchive, rowDifference } from './harness/archives';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';
import { insertTrickyRows, TRICKY_ROWS } from './harness/tricky-rows';

const FORMATS: ArchiveFormatName[] = ['json', 'parquet'];
const COMPRESSIONS: CompressionName[] = ['gzip', 'zstd', 'none'];
const KEY = randomBytes(32).toString('base64');
const MATRIX = FORMATS.flatMap((format) =>
  COMPRESSIONS.flatMap((compression) => [false, true].map((encrypted) => ({ format, compression, encrypted }))),
);
const EXTENSIONS: Record<string, string> = { json: '.jsonl', parquet: '.parquet' };
const COMPRESSED: Record<string, string> = { gzip: '.gz', zstd: '.zst', none: '' };

describe('every format × compression × encryption round-trips every PostgreSQL type', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await insertTrickyRows(db.sql, new Date(FIXED_NOW.getTime() - 200 * 86_400_000));
    // Plenty of ordinary rows too, so Parquet writes several row groups and zstd several frames.
    await db.sql.query(
      `INSERT INTO flow_execution_logs (session_id, level, message, data, created_at)
       SELECT md5(i::text)::uuid, 'info', repeat('log line ' || i, 5), jsonb_build_object('i', i, 'tags', ARRAY['a', 'b']),
              $1::timestamptz + i * interval '1 second'
         FROM generate_series(1, 15000) i`,
      [new Date(FIXED_NOW.getTime() - 150 * 86_400_000).toISOString()],
    );
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each(MATRIX)('$format + $compression, encrypted: $encrypted', async ({ format, compression, encrypted }) => {
    const { sql } = db;
    await sql.query(`TRUNCATE flow_execution_logs`);
    await sql.query(`INSERT INTO flow_execution_logs SELECT * FROM original`);
    await sql.query(`DROP TABLE IF EXISTS restored; CREATE TABLE restored (LIKE flow_execution_logs)`);
    await sql.query(`TRUNCATE archived_partitions CASCADE`);
    const app: ArchivalTestApp = await createArchivalApp(db.url, { module: {
      format, compression, encryptionKey: encrypted ? KEY : undefined, maxRowsPerFile: 12_000,
    } });
    try {
      const report = await app.archival.run('log-archival');
      expect(report).toMatchObject({ status: 'succeeded', rows: 15_000 + TRICKY_ROWS.length });
      expect(await count(sql, 'flow_execution_logs')).toBe(0);
      const archives = await app.catalog.listArchives({ table: 'flow_execution_logs' });
      expect(archives.length).toBeGreaterThan(1);
      for (const archive of archives) {
        const extension = EXTENSIONS[format] + (format === 'json' ? COMPRESSED[compression] : '') + (encrypted ? '.enc' : '');
        expect(archive.archivePath.endsWith(extension)).toBe(true);
        expect(archive).toMatchObject({ format, compression, encrypted, status: 'purged' });
        const restored = await restoreArchive(app, sql, archive, 'restored');
        expect(restored).toMatchObject({ rows: archive.rowCount, inserted: archive.rowCount, storedSha256: archive.sha256 });
        const manifest = JSON.parse(await readFile(join(app.archiveDir, archive.manifestPath), 'utf8'));
        expect(manifest.encryption === null).toBe(!encrypted);
        if (encrypted) expect(manifest.encryption).toMatchObject({ algorithm: 'AES-256-GCM', keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
      }
      expect(await rowDifference(sql, 'original', 'restored')).toBe(0);
    } finally {
      await app.close();
    }
  });
});
