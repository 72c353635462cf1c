/**
 * Reads an archive the way the catalog recorded it: with the codec its catalog
 * row names and the columns its manifest lists, compared with the catalog
 * afterwards. Verify and export use it; restore does the same through
 * loadArchive inside its transaction.
 */
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { ArchiveCodecs } from '../codec/archive-codec';
import { compareReadBack, expectedFromRecord, LinesHandler, readArchive } from '../engine/archive-reader';
import { Manifest, manifestColumns } from '../engine/manifest';
import { StorageProvider } from '../storage/storage-provider.interface';

/** Every difference from the catalog (size, SHA-256s, rows, keys); empty when intact. */
export async function readRecordedArchive(
  storage: StorageProvider,
  codecs: ArchiveCodecs,
  archive: ArchivedPartition,
  manifest: Manifest,
  onLines?: LinesHandler,
): Promise<string[]> {
  const codec = codecs.of(archive, archive.archivePath);
  const readBack = await readArchive(storage, {
    key: archive.archivePath, codec, columns: manifestColumns(manifest), keyColumn: manifest.keyColumn, onLines,
  });
  return compareReadBack(expectedFromRecord(archive), readBack);
}
