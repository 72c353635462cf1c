/** One fresh database per test file, migrated (unless asked not to), dropped at the end. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/demo/data-source-options';

export interface TestDatabase {
  url: string;
  name: string;
  /** A plain client for seeding and assertions, in UTC. */
  sql: Client;
  drop(): Promise<void>;
}

/** `migrate: false`: an empty database, as a host's is before `archival migrate` (no catalog, no demo tables). */
export async function createTestDatabase({ migrate = true }: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.ARCHIVAL_TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('ARCHIVAL_TEST_ADMIN_URL is not set: run the tests through jest (test/harness/global-setup.ts)');
  const name = `archival_test_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);

  if (migrate) {
    const dataSource = new DataSource(dataSourceOptions(url));
    await dataSource.initialize();
    await dataSource.destroy();
  }

  const sql = new Client({ connectionString: url, options: '-c TimeZone=UTC' });
  await sql.connect();
  return {
    url,
    name,
    sql,
    async drop() {
      await sql.end();
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
