/** TypeORM options of the demo host (and the CLI): PostgreSQL by URL, the catalog and demo tables. */
import { DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations/demo-migrations';
import { ARCHIVAL_ENTITIES } from '../archival/archival.module';

export function dataSourceOptions(url: string, runMigrations = true): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ARCHIVAL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsRun: runMigrations,
    migrationsTransactionMode: 'each',
    logging: ['error'],
  };
}
