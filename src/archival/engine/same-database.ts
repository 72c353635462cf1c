/**
 * With a URL of its own (ARCHIVAL_DATABASE_URL), the module must reach the
 * host's database itself, not another database or a copy of it: it reads and
 * deletes rows where it connects, while the catalog is written through the
 * host's DataSource. The same server (its start time: a replica or a restored
 * copy has its own) and the same database (its oid), or no work at all.
 */
import { ConfigurationError } from '../archival.errors';

type Identify = (sql: string) => Promise<Array<{ name: string; oid: string; started: string }>>;

const IDENTITY = `SELECT d.datname AS name, d.oid::text AS oid, extract(epoch FROM pg_postmaster_start_time())::text AS started
                    FROM pg_database d WHERE d.datname = current_database()`;

export async function assertSameDatabase(own: Identify, host: Identify): Promise<void> {
  const [[mine], [theirs]] = await Promise.all([own(IDENTITY), host(IDENTITY)]);
  if (mine.oid === theirs.oid && mine.started === theirs.started) return;
  const where = mine.name === theirs.name ? `a database of the same name on another server (or a copy)` : `database "${mine.name}"`;
  throw new ConfigurationError([
    `ARCHIVAL_DATABASE_URL (databaseUrl) reaches ${where}, not the host DataSource's database "${theirs.name}"; ` +
      'nothing was archived or deleted. Point it at the database the host uses',
  ]);
}
