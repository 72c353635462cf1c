/**
 * The manifest beside each archive: enough to read, check and restore it
 * without the catalog, and a link (SHA-256 of the previous manifest of the
 * same table) that makes a missing or altered manifest detectable.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CorruptArchiveError } from '../archival.errors';
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { EncryptionInfo } from '../codec/encryption';
import { ColumnInfo } from '../codec/jsonl.format';
import { StorageProvider } from '../storage/storage-provider.interface';
import { MonthWindow } from './archive-naming';
import { TableShape } from './table-introspector';

export const MANIFEST_FORMAT_VERSION = 1;

export interface Manifest {
  formatVersion: number;
  job: string;
  runId: string;
  schema: string;
  table: string;
  partition: string;
  part: number;
  archive: string;
  window: { start: string; end: string };
  rowCount: number;
  keyColumn: string;
  timeColumn: string | null;
  primaryKeyRange: { min: string | null; max: string | null };
  /** `generated` and `identity` are absent from manifests written before they were recorded. */
  columns: (Pick<ColumnInfo, 'name' | 'typname' | 'type' | 'encoding'> & Partial<Pick<ColumnInfo, 'generated' | 'identity'>>)[];
  format: string;
  compression: string;
  encryption: EncryptionInfo | null;
  storedBytes: number;
  sha256: string;
  contentBytes: number;
  contentSha256: string;
  keysSha256: string;
  previousManifestSha256: string | null;
  createdAt: string;
}

export function serializeManifest(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
}

/** Writes the manifest and returns the SHA-256 of its bytes (the next manifest's link). */
export async function writeManifest(storage: StorageProvider, key: string, manifest: Manifest): Promise<string> {
  const bytes = serializeManifest(manifest);
  await storage.write(key, Readable.from([bytes]));
  return createHash('sha256').update(bytes).digest('hex');
}

/** The manifest of a written archive, from its catalog record and the table's shape. */
export function buildManifest(
  record: ArchivedPartition,
  shape: TableShape,
  window: MonthWindow,
  previousManifestSha256: string | null,
  encryption: EncryptionInfo | null,
): Manifest {
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    job: record.job,
    runId: record.runId ?? '',
    schema: shape.table.schema,
    table: record.tableName,
    partition: record.partitionName,
    part: record.part,
    archive: record.archivePath,
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    rowCount: record.rowCount,
    keyColumn: shape.key,
    timeColumn: shape.time ?? null,
    primaryKeyRange: { min: record.minPk, max: record.maxPk },
    columns: shape.columns.map(({ name, typname, type, encoding, generated, identity }) => ({ name, typname, type, encoding, generated, identity })),
    format: record.format,
    compression: record.compression,
    encryption,
    storedBytes: record.compressedSize,
    sha256: record.sha256 ?? '',
    contentBytes: record.uncompressedSize,
    contentSha256: record.contentSha256 ?? '',
    keysSha256: record.keysSha256 ?? '',
    previousManifestSha256,
    createdAt: new Date().toISOString(),
  };
}

/** Reads a manifest and the SHA-256 of its bytes (what the catalog and the next manifest record). */
export async function readManifest(storage: StorageProvider, key: string): Promise<{ manifest: Manifest; sha256: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.read(key)) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
  } catch (error) {
    throw new CorruptArchiveError(`manifest ${key} is not valid JSON: ${(error as Error).message}`);
  }
  return { manifest, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The columns a manifest lists, as the codecs read them (how the archive was written). */
export function manifestColumns(manifest: Manifest): ColumnInfo[] {
  return manifest.columns.map((c) => ({ ...c, generated: c.generated ?? false, identity: c.identity ?? false }));
}
