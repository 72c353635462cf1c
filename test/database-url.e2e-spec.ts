/**
 * The module's own URL must reach the host's database: one that reaches
 * another database (here a migrated twin, as a staging copy would be) is
 * refused before any work, and nothing is archived or deleted anywhere.
 */
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';

describe('a module URL that reaches another database than the host', () => {
  let host: TestDatabase;
  let other: TestDatabase;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    [host, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    for (const db of [host, other]) await seedLogs(db.sql, { rows: 1_000, days: 365, now: FIXED_NOW });
    app = await createArchivalApp(host.url, { module: { databaseUrl: other.url } });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([host?.drop(), other?.drop()]);
  });

  it('fails the run naming the variable and both databases, and touches no row', async () => {
    await expect(app.archival.run('log-archival')).rejects.toThrow(
      `ARCHIVAL_DATABASE_URL (databaseUrl) reaches database "${other.name}", not the host DataSource's database "${host.name}"`,
    );
    expect(await count(host.sql, 'flow_execution_logs')).toBe(1_000);
    expect(await count(other.sql, 'flow_execution_logs')).toBe(1_000);
    expect(await app.catalog.listArchives({})).toEqual([]);
    expect(await count(other.sql, 'archived_partitions')).toBe(0);
    const [run] = await app.catalog.listRuns({ job: 'log-archival' });
    expect(run).toMatchObject({ status: 'failed', error: expect.stringContaining('nothing was archived or deleted') });
  });

  it('fails again on the next run: the check is not remembered as passed', async () => {
    await expect(app.archival.run('log-archival')).rejects.toThrow('reaches database');
    expect(await count(host.sql, 'flow_execution_logs')).toBe(1_000);
  });
});
