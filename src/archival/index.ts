/** Public API of the archival module. */
export * from './archival.module';
export * from './archival.service';
export * from './archival-options';
export * from './archival.errors';
export * from './archival.constants';
export * from './archiver';
export * from './archivers/table.archiver';
export * from './archivers/log.archiver';
export * from './catalog/catalog.service';
export * from './catalog/archived-partition.entity';
export * from './catalog/archival-run.entity';
export * from './config/archival-env';
export * from './config/resolve-options';
export * from './engine/table-spec';
export * from './engine/archival-hooks';
export * from './storage/storage-provider.interface';
export { ARCHIVAL_MIGRATIONS } from '../../migrations';
