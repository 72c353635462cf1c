/** Reads archives from the outside, the way an auditor or a restore would. */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { Client } from 'pg';
import { createCompression, compressionOfKey } from '../../src/archival/codec/compression.factory';
import { jsonLinesInsertSql } from '../../src/archival/codec/jsonl.format';
import { Manifest, manifestColumns } from '../../src/archival/engine/manifest';
import { ArchivedPartition } from '../../src/archival/catalog/archived-partition.entity';
import { ARCHIVE_CODECS, ArchiveCodecs } from '../../src/archival/codec/archive-codec';
import { loadArchive } from '../../src/archival/readback/archive-loader';
import { STORAGE_PROVIDER, StorageProvider } from '../../src/archival/storage/storage-provider.interface';
import { ArchivalTestApp } from './archival-app';
import { TestDatabase } from './database';
import { count } from './seed';

export async function readArchiveLines(root: string, key: string): Promise<string[]> {
  const compression = await createCompression(compressionOfKey(key));
  const body = createReadStream(join(root, key)).pipe(compression.decompressor()) as Readable;
  const content = await text(body);
  expect(content.endsWith('\n')).toBe(true);
  return content.slice(0, -1).split('\n');
}

/**
 * Loads canonical lines into `target` (same shape as the source table) with
 * json_populate_recordset, the way restore does: PostgreSQL parses every value.
 */
export async function loadLines(sql: Client, target: string, lines: string[], manifest: Manifest) {
  const insert = jsonLinesInsertSql(`"public"."${target}"`, manifestColumns(manifest));
  for (let i = 0; i < lines.length; i += 5000) {
    await sql.query(insert, [`[${lines.slice(i, i + 5000).join(',')}]`]);
  }
}

export async function readManifest(root: string, key: string): Promise<Manifest> {
  return JSON.parse(await text(createReadStream(join(root, key))));
}

/** Rows of `a` not in `b` and of `b` not in `a`, compared as full row text (every column, exact). */
export async function rowDifference(sql: Client, a: string, b: string): Promise<number> {
  const { rows } = await sql.query(
    `SELECT (SELECT count(*) FROM (SELECT x::text FROM ${a} x EXCEPT ALL SELECT y::text FROM ${b} y) d1)
          + (SELECT count(*) FROM (SELECT y::text FROM ${b} y EXCEPT ALL SELECT x::text FROM ${a} x) d2) AS n`,
  );
  return Number(rows[0].n);
}

/**
 * Restores one archive into `target` through the product's own read path
 * (storage → checksums → decrypt → decode → json_populate_record), whatever
 * its storage, format, compression or encryption. Returns what was read back.
 */
export async function restoreArchive(app: ArchivalTestApp, sql: Client, archive: ArchivedPartition, target: string) {
  const storage = app.context.get<StorageProvider>(STORAGE_PROVIDER);
  const codecs = app.context.get<ArchiveCodecs>(ARCHIVE_CODECS);
  const manifest = JSON.parse(await text(await storage.read(archive.manifestPath))) as Manifest;
  return loadArchive(sql, storage, codecs.of(archive, archive.archivePath), {
    archivePath: archive.archivePath, columns: manifestColumns(manifest), keyColumn: manifest.keyColumn, target: `"public"."${target}"`,
  });
}

/**
 * Invariants 1–3 after a kill and a converging run: every original row is
 * either still in its table or in exactly one purged archive (union equals the
 * original exactly, no duplicates), and no archive is left written or verified.
 */
export async function expectConverged(db: TestDatabase, app: ArchivalTestApp, tables: string[]) {
  expect(await count(db.sql, 'archived_partitions', `status IN ('written', 'verified')`)).toBe(0);
  for (const table of tables) {
    await db.sql.query(`DROP TABLE IF EXISTS ${table}_archived; CREATE TABLE ${table}_archived (LIKE ${table})`);
    for (const archive of await app.catalog.listArchives({ table, status: 'purged', limit: 100_000 })) {
      await restoreArchive(app, db.sql, archive, `${table}_archived`);
    }
    await db.sql.query(`DROP TABLE IF EXISTS ${table}_union; CREATE TABLE ${table}_union AS SELECT * FROM ${table} UNION ALL SELECT * FROM ${table}_archived`);
    expect(await rowDifference(db.sql, `${table}_original`, `${table}_union`)).toBe(0);
  }
}
