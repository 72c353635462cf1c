/**
 * The manifest beside each archive: enough to read, check and restore it
 * without the catalog, and a link (SHA-256 of the previous manifest of the
 * same table) that makes a missing or altered manifest detectable.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ColumnInfo } from '../codec/jsonl.format';
import { StorageProvider } from '../storage/storage-provider.interface';

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
  timeColumn: string;
  primaryKeyRange: { min: string | null; max: string | null };
  columns: Pick<ColumnInfo, 'name' | 'type' | 'encoding'>[];
  format: string;
  compression: string;
  encryption: null | { algorithm: string; keyId: string; nonce: string };
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
