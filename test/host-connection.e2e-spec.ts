/**
 * The module connects the way the host's DataSource does, whatever shape its
 * options take: here replication (no top-level connection at all), the
 * master's password from a function, and pool settings in `extra`.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { APPLICATION_NAME } from '../src/archival/engine/pool-config';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase, withDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';

describe('a host DataSource with replication, a password function and extra', () => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const sessions: Array<Array<{ usename: string; application_name: string }>> = [];
  const reader = `archival_reader_${randomBytes(4).toString('hex')}`;
  let passwordAsked = 0;
  const admin = (sql: string) => withAdmin((client) => client.query(sql));

  beforeAll(async () => {
    db = await createTestDatabase();
    await admin(`CREATE ROLE ${reader} LOGIN PASSWORD 'reader' IN ROLE pg_read_all_data`);
    await seedLogs(db.sql, { rows: 2_000, days: 365, now: FIXED_NOW });
    const server = new URL(db.url);
    const master = {
      host: server.hostname, port: Number(server.port), username: decodeURIComponent(server.username), database: db.name,
      password: async () => (passwordAsked++, decodeURIComponent(server.password)),
    };
    // The slave (the same database here) logs in as a read-only role: a module that connected there could not purge.
    const slave = { url: withDatabase(db.url.replace(/\/\/[^@]*@/, `//${reader}:reader@`), db.name) };
    const hooks = {
      at: async (point: string) => {
        if (point !== 'mid-delete') return;
        const { rows } = await db.sql.query(
          `SELECT usename, application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        sessions.push(rows);
      },
    };
    app = await createArchivalApp(db.url, { hooks, host: {
      dataSource: { url: undefined, replication: { master, slaves: [slave] }, extra: { keepAlive: true, application_name: 'host-api' } },
    } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await admin(`DROP ROLE IF EXISTS ${reader}`);
  });

  it('runs a job on the master, through the password function, its sessions named its own', async () => {
    const report = await app.archival.run('log-archival');
    expect(report.status).toBe('succeeded');
    expect(report.rows).toBeGreaterThan(1_000);
    expect(await count(db.sql, 'flow_execution_logs', `created_at < '${report.tables[0].cutoff}'`)).toBe(0);
    expect(passwordAsked).toBeGreaterThanOrEqual(2); // the host's pool, and the module's
    expect(sessions.length).toBeGreaterThan(0);
    // The job's lock session and its purge transaction, at least: the master's user, named by the module, not by the host's extra.
    for (const seen of sessions) {
      const own = seen.filter((session) => session.application_name === APPLICATION_NAME);
      expect(own.length).toBeGreaterThanOrEqual(2);
      expect(new Set(own.map((session) => session.usename))).toEqual(new Set([decodeURIComponent(new URL(db.url).username)]));
    }
  });
});

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: process.env.ARCHIVAL_TEST_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
