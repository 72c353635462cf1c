/**
 * A manifest is data, never code. Restore and export use one only after its
 * bytes hash to the SHA-256 the catalog recorded when the archive was sealed,
 * and only where it agrees with the catalog; the target table and its column
 * types come from the catalog and the live table, never from the manifest.
 * Write access to the archive store is therefore not enough to change what a
 * restore does: an edited manifest stops it, and the error names the edit.
 */
import { PoolClient } from 'pg';
import { CorruptArchiveError } from '../archival.errors';
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { ColumnInfo } from '../codec/jsonl.format';
import { Manifest, manifestColumns, readManifest } from '../engine/manifest';
import { QualifiedName } from '../sql/sql-identifier';
import { describeTable } from '../engine/table-introspector';
import { StorageProvider } from '../storage/storage-provider.interface';

/** The live columns of a table, to name what an altered manifest changed (undefined if it cannot be read). */
export type LiveColumns = (table: QualifiedName) => Promise<ColumnInfo[] | undefined>;

/**
 * Reads an archive's manifest and checks it against the catalog; throws
 * CorruptArchiveError naming every difference it can see (with `live`, also
 * the columns that differ from the table's).
 */
export async function readTrustedManifest(storage: StorageProvider, archive: ArchivedPartition, live?: LiveColumns): Promise<Manifest> {
  const { manifest, sha256 } = await readManifest(storage, archive.manifestPath).catch((error: Error) => {
    throw new CorruptArchiveError(`the manifest ${archive.manifestPath} of archive ${archive.id} cannot be read (${error.message})`, archive.archivePath);
  });
  const differences = catalogDifferences(manifest, archive);
  if (sha256 !== archive.manifestSha256 || differences.length > 0) {
    const columns = await live?.({ schema: archive.schemaName ?? 'public', name: archive.tableName }).catch(() => undefined);
    if (columns) differences.push(...columnDifferences(manifestColumns(manifest), columns));
    const recorded = archive.manifestSha256 ? `the catalog recorded ${archive.manifestSha256}` : 'the catalog recorded none';
    const named = differences.length > 0 ? `: ${differences.join('; ')}` : '';
    throw new CorruptArchiveError(
      `the manifest ${archive.manifestPath} of archive ${archive.id} was altered (SHA-256 ${sha256}, ${recorded})${named}`,
      archive.archivePath,
    );
  }
  return manifest;
}

/** Where the manifest's own words disagree with the catalog row. */
function catalogDifferences(manifest: Manifest, archive: ArchivedPartition): string[] {
  const pairs: [string, unknown, unknown][] = [
    ['table', manifest.table, archive.tableName],
    ['archive', manifest.archive, archive.archivePath],
    ['rowCount', manifest.rowCount, archive.rowCount],
    ['sha256', manifest.sha256, archive.sha256],
    ['format', manifest.format, archive.format],
    ['compression', manifest.compression, archive.compression],
  ];
  if (archive.schemaName !== null) pairs.push(['schema', manifest.schema, archive.schemaName]);
  return pairs
    .filter(([, inManifest, inCatalog]) => inManifest !== inCatalog)
    .map(([field, inManifest, inCatalog]) => `${field} is ${JSON.stringify(inManifest)} in the manifest, ${JSON.stringify(inCatalog)} in the catalog`);
}

/** Archived columns against a table's: missing, retyped or added (names and types are shown as data, quoted). */
function columnDifferences(archived: ColumnInfo[], live: ColumnInfo[]): string[] {
  const inManifest = new Map(archived.map((c) => [c.name, c]));
  const inTable = new Map(live.map((c) => [c.name, c]));
  return [
    ...archived.flatMap((c) => {
      const now = inTable.get(c.name);
      if (!now) return [`column ${JSON.stringify(c.name)} is in the manifest but not in the table`];
      return now.type === c.type ? [] : [`column ${JSON.stringify(c.name)} has type ${JSON.stringify(c.type)} in the manifest, ${JSON.stringify(now.type)} in the table`];
    }),
    ...live.filter((c) => !inManifest.has(c.name)).map((c) => `column ${JSON.stringify(c.name)} of the table is missing from the manifest`),
  ];
}

export interface RestoreTarget {
  table: QualifiedName;
  /** How the archive was written (decoding). */
  archived: ColumnInfo[];
  /** The columns the archive fills, encoded as archived, with the live table's generated and identity flags. */
  insert: ColumnInfo[];
  keyColumn: string;
  /** The live key column's type (format_type). */
  keyType: string;
}

/**
 * The table a trusted manifest's rows go back into (from the catalog) and its
 * live columns. Every archived column must still be in the table with the
 * same type; columns added since are left to their defaults.
 */
export async function restoreTarget(client: PoolClient, archive: ArchivedPartition, manifest: Manifest): Promise<RestoreTarget> {
  const table = { schema: archive.schemaName ?? manifest.schema, name: archive.tableName };
  const live = await describeTable(client, table, manifest.keyColumn);
  const archived = manifestColumns(manifest);
  const byName = new Map(live.columns.map((c) => [c.name, c]));
  const differences = archived.flatMap((c) => {
    const now = byName.get(c.name);
    if (!now) return [`column ${c.name} (${c.type}) is no longer in ${table.schema}.${table.name}`];
    return now.type === c.type ? [] : [`column ${c.name} was archived as ${c.type}; ${table.schema}.${table.name} has ${now.type}`];
  });
  if (differences.length > 0) {
    throw new CorruptArchiveError(`archive ${archive.id} (${archive.archivePath}) does not fit ${table.schema}.${table.name}: ${differences.join('; ')}`, archive.archivePath);
  }
  // Encoded as archived; generated and identity as the table has them now.
  const insert = archived.map((c) => ({ ...c, generated: byName.get(c.name)!.generated, identity: byName.get(c.name)!.identity }));
  return { table, archived, insert, keyColumn: manifest.keyColumn, keyType: live.keyType };
}
