/**
 * `archival migrate`. In a host (--module): the catalog's migrations
 * (ARCHIVAL_MIGRATIONS) and nothing else, on the host's database, recorded in
 * the host's migrations table; the host's own migrations stay the host's to
 * run, and the demo's tables are never created there. A DataSource runs only
 * the migrations it was built with, hence a short-lived one over the host's
 * connection options.
 */
import { DataSource, DataSourceOptions } from 'typeorm';
import { ARCHIVAL_MIGRATIONS } from '../../migrations';

export interface MigrationResult {
  applied: string[];
  /** Whether any of these migrations is still pending afterwards. */
  pending: boolean;
}

/** The migrations `dataSource` was built with (the demo host's: catalog and demo tables). */
export async function runMigrations(dataSource: DataSource): Promise<MigrationResult> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return { applied: applied.map((migration) => migration.name), pending: await dataSource.showMigrations() };
}

export async function runCatalogMigrations(host: DataSource): Promise<MigrationResult> {
  const catalog = new DataSource({
    ...host.options,
    entities: [],
    subscribers: [],
    migrations: ARCHIVAL_MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    dropSchema: false,
  } as DataSourceOptions);
  await catalog.initialize();
  try {
    return await runMigrations(catalog);
  } finally {
    await catalog.destroy();
  }
}
