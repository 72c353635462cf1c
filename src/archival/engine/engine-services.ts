/**
 * What every step of a table run works with: the module's database pool,
 * catalog, store, codecs, options, metrics and fault hooks. The engine builds
 * it once; the steps (part-writer, part-sealer, part-purge …) take it whole
 * instead of seven constructor parameters each.
 */
import { ArchivalOptions } from '../archival-options';
import { CatalogService } from '../catalog/catalog.service';
import { ArchiveCodecs } from '../codec/archive-codec';
import { ArchivalMetrics } from '../metrics/archival.metrics';
import { StorageProvider } from '../storage/storage-provider.interface';
import { RunThrottles } from '../throttle/run-throttles';
import { ArchivalDatabase } from './archival-database';
import { ArchivalHooks, FaultPoint } from './archival-hooks';
import { Pacer } from './pacer';
import { RunContext } from './run-context';

export interface EngineServices {
  db: ArchivalDatabase;
  catalog: CatalogService;
  storage: StorageProvider;
  codecs: ArchiveCodecs;
  options: ArchivalOptions;
  metrics: ArchivalMetrics;
  hooks: ArchivalHooks;
  /** Each run's throttle on the database's signals (throttle/). */
  throttles: RunThrottles;
}

/** What each step of one table run is built with: the services, the run, and its pacing. */
export interface StepOptions {
  services: EngineServices;
  context: RunContext;
  pacer: Pacer;
}

/**
 * Calls the hook at `point` for one archive of the run (fault injection in
 * tests; nothing in production, and then it returns undefined, so a stream
 * that would wait on it goes straight on).
 */
export function reached(services: EngineServices, point: FaultPoint, context: RunContext, table: string, archivePath: string): Promise<void> | void {
  return services.hooks.at?.(point, hookContext(services, context, table, archivePath));
}

export function hookContext(services: EngineServices, context: RunContext, table: string, archivePath: string) {
  return { job: context.job, table, archivePath, storage: services.storage };
}
