/**
 * The one loop every job runs, per table (table-run.ts):
 *   plan → month windows → parts: write → seal → purge or drop
 * where write is select → encode → compress → hash → store → record
 * ("written", part-writer.ts), seal is read back and verify → manifest →
 * record "verified" (part-sealer.ts), and purge deletes the part's rows and
 * records "purged" in one transaction (part-purge.ts); a whole-month
 * partition is dropped instead. Rows are deleted only after the stored
 * archive was read back and matched (size, SHA-256 of stored bytes and of
 * content, row count, key sequence).
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ArchivalOptions } from '../archival-options';
import { ARCHIVAL_HOOKS, ARCHIVAL_OPTIONS } from '../archival.constants';
import { CatalogService } from '../catalog/catalog.service';
import { ArchivalMetrics } from '../metrics/archival.metrics';
import { ARCHIVE_CODECS, ArchiveCodecs } from '../codec/archive-codec';
import { STORAGE_PROVIDER, StorageProvider } from '../storage/storage-provider.interface';
import { ArchivalDatabase } from './archival-database';
import { ArchivalHooks } from './archival-hooks';
import { EngineServices } from './engine-services';
import { RunContext, TableRunResult } from './run-context';
import { runTable } from './table-run';
import { TableSpec } from './table-spec';
import { UnfinishedArchives } from './unfinished-archives';
import { RunThrottles } from '../throttle/run-throttles';

@Injectable()
export class ArchivalEngine {
  private readonly services: EngineServices;

  constructor(
    db: ArchivalDatabase,
    catalog: CatalogService,
    @Inject(STORAGE_PROVIDER) storage: StorageProvider,
    @Inject(ARCHIVE_CODECS) codecs: ArchiveCodecs,
    @Inject(ARCHIVAL_OPTIONS) options: ArchivalOptions,
    metrics: ArchivalMetrics,
    throttles: RunThrottles,
    @Optional() @Inject(ARCHIVAL_HOOKS) hooks: ArchivalHooks = {},
  ) {
    this.services = { db, catalog, storage, codecs, options, metrics, hooks, throttles };
  }

  /** Archives every eligible row of one table (rows older than `cutoff`). */
  archiveTable(spec: TableSpec, cutoff: Date, context: RunContext): Promise<TableRunResult> {
    return runTable({ services: this.services, spec, cutoff, context });
  }

  /**
   * Archives left "written" or "verified" by an interrupted run of the job
   * still have all their rows in the table, so their objects are removed and
   * the rows are archived again afresh.
   */
  discardUnfinished(job: string, runId: string): Promise<number> {
    return new UnfinishedArchives(this.services).discard(job, runId);
  }
}
