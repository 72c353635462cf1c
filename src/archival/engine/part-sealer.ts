/**
 * seal: each archive of a written part is read back from storage through the
 * decoder a restore uses and compared with what was written (stored size,
 * SHA-256 of the stored bytes and of the content, row count, key sequence);
 * only then does it get its manifest, chained to the table's previous one,
 * and the catalog's "verified". Any difference marks it "failed" and stops
 * the run before anything of it is deleted.
 */
import { Logger } from '@nestjs/common';
import { VerificationError } from '../archival.errors';
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { linkVerified } from '../catalog/manifest-chain';
import { compareReadBack, expectedFromRecord, hashStored, readArchive } from './archive-reader';
import { hookContext, reached, StepOptions } from './engine-services';
import { buildManifest, writeManifest } from './manifest';
import { TableShape } from './table-introspector';
import { inWriteOrder, RecordedArchive, WrittenPart } from './written-part';

export class PartSealer {
  private readonly logger = new Logger(PartSealer.name);

  constructor(private readonly options: StepOptions) {}

  /** Seals the part's archives in the order they were written (the manifest chain's order). */
  async seal(part: WrittenPart): Promise<void> {
    for (const archive of inWriteOrder(part)) await this.sealArchive(archive);
  }

  /** read back and verify → manifest → "verified". */
  private async sealArchive({ shape, record, window, written }: RecordedArchive): Promise<void> {
    const { services, context } = this.options;
    await this.verify(record, shape);
    await services.db.transaction((client) => linkVerified(client, record.id, record.tableName, (previous) =>
      writeManifest(services.storage, record.manifestPath, buildManifest(record, shape, window, previous, written.encryption))));
    await reached(services, 'after-verify', context, record.tableName, record.archivePath);
    await services.hooks.afterVerify?.(hookContext(services, context, record.tableName, record.archivePath));
  }

  /** Reads the stored archive back and compares it with what was written; marks it failed on any difference. */
  private async verify(record: ArchivedPartition, shape: TableShape): Promise<void> {
    const { services, context, pacer } = this.options;
    const { archivePath: path, tableName: table } = record;
    const request = {
      key: path, codec: services.codecs.of(record, path), columns: shape.columns, keyColumn: shape.key, pacer,
      onMidRead: () => reached(services, 'mid-verify', context, table, path),
    };
    const readBack = await readArchive(services.storage, request).catch(async (error: Error) => {
      const stored = await hashStored(services.storage, path).catch(() => undefined);
      const checksum = stored && stored.sha256 !== record.sha256 ? `; stored SHA-256 ${stored.sha256}, expected ${record.sha256}` : '';
      throw await this.failed(record, `could not be read back: ${error.message}${checksum}`);
    });
    const problems = compareReadBack(expectedFromRecord(record), readBack);
    if (problems.length > 0) throw await this.failed(record, problems.join('; '));
  }

  private async failed({ id, archivePath: path, tableName: table }: ArchivedPartition, why: string): Promise<VerificationError> {
    const { services, context } = this.options;
    const message = `verification of ${path} failed: ${why}; nothing was deleted`;
    await services.catalog.markFailed(id, message);
    services.metrics.verifyFailed({ job: context.job, tableName: table, storage: services.storage.type });
    this.logger.error({ event: 'archive.verify_failed', job: context.job, runId: context.runId, table, archive: path, why });
    return new VerificationError(message, table, path, context.runId);
  }
}
