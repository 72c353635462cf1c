/**
 * ArchivalModule.forRoot(options) / forRootAsync({ imports, useFactory, inject }).
 * Needs the host's TypeORM DataSource (PostgreSQL); list ARCHIVAL_ENTITIES in
 * it or set autoLoadEntities, and run ARCHIVAL_MIGRATIONS. With schedules on,
 * the host imports ScheduleModule.forRoot() itself (the module never does).
 * `admin: { path, guard, enabled }` beside the options mounts the admin API.
 * Jobs: the tables the host declares (`tables`) and the presets it names
 * (`presets`); a host that names no preset has none.
 */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ArchivalOptions, ArchivalOptionsInput } from './archival-options';
import { archivalClock } from './archival-clock';
import { ARCHIVAL_CLOCK, ARCHIVAL_HOOKS, ARCHIVAL_OPTIONS, ARCHIVAL_SCHEDULES_OFF } from './archival.constants';
import { ARCHIVAL_MODULE_OPTIONS, ConfigurableArchivalModule } from './archival.module-definition';
import { ArchivalService } from './archival.service';
import { JobRegistry } from './job.registry';
import { JobRunner } from './job.runner';
import { AdminTokenGuard } from './admin/admin-token.guard';
import { Archiver, ARCHIVERS } from './archiver';
import { DeclaredTableArchiver } from './archivers/declared-table.archiver';
import { ConfigurationError } from './archival.errors';
import { presetArchivers } from './archivers/presets';
import { ArchivalRun } from './catalog/archival-run.entity';
import { ArchivedPartition } from './catalog/archived-partition.entity';
import { CatalogService } from './catalog/catalog.service';
import { ARCHIVE_CODECS, ArchiveCodecs } from './codec/archive-codec';
import { ParquetSpoolCleanup } from './codec/parquet/parquet-spool-cleanup';
import { resolveArchivalOptions } from './config/resolve-options';
import { ArchivalDatabase } from './engine/archival-database';
import { ArchivalEngine } from './engine/archival.engine';
import { RunThrottles } from './throttle/run-throttles';
import { killSwitchHooks } from './engine/archival-hooks';
import { AdvisoryCronLocker } from './scheduler/advisory.cron-locker';
import { ArchivalScheduler } from './scheduler/archival.scheduler';
import { createStorage } from './storage/storage.factory';
import { STORAGE_PROVIDER } from './storage/storage-provider.interface';
import { StorageStartupCheck } from './storage/storage-startup.check';
import { ArchivalHealthIndicator } from './health/archival.health';
import { ARCHIVAL_METRIC_PROVIDERS, ArchivalMetrics } from './metrics/archival.metrics';
import { TableStatsCollector } from './metrics/table-stats.collector';
import { RestoreService } from './restore/restore.service';
import { VerifyService } from './readback/verify.service';
import { ExportService } from './readback/export.service';
import { LakeService } from './lake/lake.service';

export const ARCHIVAL_ENTITIES = [ArchivedPartition, ArchivalRun];

@Module({
  // ScheduleModule.forRoot() belongs to the host (imported twice, every @Cron and @Interval of the host fires twice);
  // so do TerminusModule and PrometheusModule: the module imports none of them.
  imports: [TypeOrmModule.forFeature(ARCHIVAL_ENTITIES)],
  // The admin controller is added per module by archival.module-definition.ts, at the host's path (or not at all).
  providers: [
    {
      provide: ARCHIVAL_OPTIONS,
      // A one-shot process over the host's module (the `archival` CLI) imports ArchivalSchedulesOffModule.
      useFactory: (input: ArchivalOptionsInput, schedulesOff?: boolean) =>
        resolveArchivalOptions(schedulesOff ? { ...input, schedule: false } : input),
      inject: [ARCHIVAL_MODULE_OPTIONS, { token: ARCHIVAL_SCHEDULES_OFF, optional: true }],
    },
    {
      provide: STORAGE_PROVIDER,
      useFactory: (options: ArchivalOptions) => createStorage(options.storage),
      inject: [ARCHIVAL_OPTIONS],
    },
    {
      provide: ARCHIVE_CODECS,
      useFactory: (options: ArchivalOptions) => ArchiveCodecs.create(options),
      inject: [ARCHIVAL_OPTIONS],
    },
    // Empty in production; ARCHIVAL_TEST_KILL_AT kills the process at a named point when NODE_ENV=test.
    { provide: ARCHIVAL_HOOKS, useFactory: () => killSwitchHooks(process.env) },
    // The system clock in production; ARCHIVAL_TEST_NOW fixes it when NODE_ENV=test.
    { provide: ARCHIVAL_CLOCK, useFactory: () => archivalClock(process.env) },
    {
      // The presets the host named (none unless it names them), then one job per table it declared.
      provide: ARCHIVERS,
      useFactory: (options: ArchivalOptions, engine: ArchivalEngine) => {
        const archivers: Archiver[] = [
          ...presetArchivers(options, engine), ...options.tables.map((table) => new DeclaredTableArchiver(table, engine)),
        ];
        const seen = new Set<string>();
        for (const { job } of archivers) {
          if (seen.has(job)) throw new ConfigurationError([`two jobs are named "${job}"; job names must be unique`]);
          seen.add(job);
        }
        return archivers;
      },
      inject: [ARCHIVAL_OPTIONS, ArchivalEngine],
    },
    ArchivalDatabase,
    CatalogService,
    ArchivalEngine,
    RunThrottles,
    AdvisoryCronLocker,
    JobRegistry,
    JobRunner,
    ArchivalService,
    ArchivalScheduler,
    AdminTokenGuard,
    StorageStartupCheck,
    // Removes Parquet read-back spools (plaintext of encrypted archives) older versions left in the temp directory.
    ParquetSpoolCleanup,
    ...ARCHIVAL_METRIC_PROVIDERS,
    ArchivalMetrics,
    TableStatsCollector,
    VerifyService,
    RestoreService,
    ExportService,
    LakeService,
    ArchivalHealthIndicator,
  ],
  exports: [
    ArchivalService, CatalogService, ArchivalScheduler, STORAGE_PROVIDER, ARCHIVE_CODECS, ARCHIVAL_OPTIONS,
    VerifyService, RestoreService, ExportService, LakeService, ArchivalMetrics, TableStatsCollector, ArchivalHealthIndicator,
  ],
})
export class ArchivalModule extends ConfigurableArchivalModule {}
