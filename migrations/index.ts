/** Every migration, in order. Hosts that run their own migrations add ARCHIVAL_MIGRATIONS to theirs. */
import { ArchivalCatalog1732000000000 } from './1732000000000-ArchivalCatalog';
import { DemoHostTables1732000000001 } from './1732000000001-DemoHostTables';

export const ARCHIVAL_MIGRATIONS = [ArchivalCatalog1732000000000];
export const DEMO_MIGRATIONS = [DemoHostTables1732000000001];
export const ALL_MIGRATIONS = [...ARCHIVAL_MIGRATIONS, ...DEMO_MIGRATIONS];
