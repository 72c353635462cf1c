/** The demo host's migrations: its tables, and with the catalog's, every migration in timestamp order. */
import { DemoHostTables1732000000001 } from './1732000000001-DemoHostTables';
import { ARCHIVAL_MIGRATIONS } from './index';

export const DEMO_MIGRATIONS = [DemoHostTables1732000000001];
// TypeORM runs pending migrations in the order listed; the demo's tables come right after the catalog's first one.
export const ALL_MIGRATIONS = [ARCHIVAL_MIGRATIONS[0], ...DEMO_MIGRATIONS, ...ARCHIVAL_MIGRATIONS.slice(1)];
