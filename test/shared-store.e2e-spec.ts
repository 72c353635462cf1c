import { RestoreService } from '../src/archival/restore/restore.service';
import { VerifyService } from '../src/archival/readback/verify.service';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { rowDifference } from './harness/archives';
import { daysAgo } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count, seedLogs } from './harness/seed';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writers that share a table or a store never overwrite each other's archives:
 * every row ends in an archive of its own writer, verified and restorable.
 */
describe('writers sharing a table or an archive store', () => {
  const open: ArchivalTestApp[] = [];
  const databases: TestDatabase[] = [];
  let store: string;

  beforeEach(async () => {
    store = await mkdtemp(join(tmpdir(), 'archival-shared-store-'));
  });
  afterEach(async () => {
    for (const app of open.splice(0)) await app.close();
    for (const db of databases.splice(0)) await db.drop();
    await rm(store, { recursive: true, force: true });
  });
  const database = async () => {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  };
  const app = async (...args: Parameters<typeof createArchivalApp>) => {
    const created = await createArchivalApp(...args);
    open.push(created);
    return created;
  };
  const restoreAll = (a: ArchivalTestApp, table: string) => a.context.get(RestoreService).restore({ table }, 'cli');
  const verifyAll = (a: ArchivalTestApp) => a.context.get(VerifyService).verify({});

  it('two jobs with filters on one table, started 400 ms apart', async () => {
    const db = await database();
    await db.sql.query(`CREATE TABLE events (id bigserial PRIMARY KEY, tenant text NOT NULL, body text, at timestamptz NOT NULL)`);
    await db.sql.query(
      `INSERT INTO events (tenant, body, at) SELECT (ARRAY['a','b'])[1 + i % 2], md5(i::text), $1::timestamptz + i * interval '5 minutes'
         FROM generate_series(1, 40000) i`,
      [daysAgo(200).toISOString()],
    );
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM events`);
    const job = (tenant: string) => ({ job: `events-${tenant}`, table: 'events', key: 'id', time: 'at', retentionDays: 30, filter: `t."tenant" = '${tenant}'` });
    const a = await app(db.url, { module: { storage: store, maxRowsPerFile: 2_000, tables: [job('a'), job('b')] } });

    const first = (await a.archival.trigger('events-a')).done;
    await new Promise((r) => setTimeout(r, 400));
    const second = (await a.archival.trigger('events-b')).done;
    const [ra, rb] = await Promise.all([first, second]);
    expect([ra.status, rb.status]).toEqual(['succeeded', 'succeeded']);
    expect(ra.rows).toBeGreaterThan(10_000);
    expect(ra.rows).toBe(rb.rows);

    const archives = await a.catalog.listArchives({ table: 'events', limit: 10_000 });
    expect(new Set(archives.map((x) => x.archivePath)).size).toBe(archives.length);
    expect(archives.every((x) => x.status === 'purged')).toBe(true);
    expect(await verifyAll(a)).toMatchObject({ problems: [], missing: [], untracked: [] });
    await restoreAll(a, 'events');
    expect(await rowDifference(db.sql, 'original', 'events')).toBe(0);
  });

  it('same-named tables in two schemas', async () => {
    const db = await database();
    for (const schema of ['tenant_a', 'tenant_b']) {
      await db.sql.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.events (id bigserial PRIMARY KEY, body text, at timestamptz NOT NULL)`);
      await db.sql.query(
        `INSERT INTO ${schema}.events (body, at) SELECT '${schema} ' || i, $1::timestamptz + i * interval '1 hour' FROM generate_series(1, 3000) i`,
        [daysAgo(200).toISOString()],
      );
      await db.sql.query(`CREATE TABLE ${schema}.original AS SELECT * FROM ${schema}.events`);
    }
    const job = (schema: string) => ({ job: `${schema.replace('_', '-')}-events`, table: `${schema}.events`, key: 'id', time: 'at', retentionDays: 30 });
    const a = await app(db.url, { module: { storage: store, tables: [job('tenant_a'), job('tenant_b')] } });
    const [ra, rb] = await Promise.all([a.archival.run('tenant-a-events'), a.archival.run('tenant-b-events')]);
    expect([ra.status, rb.status]).toEqual(['succeeded', 'succeeded']);

    const archives = await a.catalog.listArchives({ table: 'events' });
    expect(new Set(archives.map((x) => x.schemaName))).toEqual(new Set(['tenant_a', 'tenant_b']));
    expect(archives.every((x) => x.archivePath.startsWith(`${x.schemaName}.events/year=`))).toBe(true);
    expect(await verifyAll(a)).toMatchObject({ problems: [], missing: [] });
    // Each schema's table counts its own archives in the size view, not the other's too.
    const { rows: stats } = await db.sql.query(`SELECT schema_name, archived_rows::int AS n FROM database_size_stats WHERE table_name = 'events' ORDER BY 1`);
    expect(stats).toEqual([{ schema_name: 'tenant_a', n: ra.rows }, { schema_name: 'tenant_b', n: rb.rows }]);
    // A restore names one table: the same-named table in the other schema is not touched.
    await restoreAll(a, 'tenant_a.events');
    expect(await rowDifference(db.sql, 'tenant_a.original', 'tenant_a.events')).toBe(0);
    expect(await count(db.sql, 'tenant_b.events')).toBe(3000 - rb.rows);
    await restoreAll(a, 'tenant_b.events');
    expect(await rowDifference(db.sql, 'tenant_b.original', 'tenant_b.events')).toBe(0);
  });

  /** tenant_a.events and public.events with the same ids; tenant_a's archived once. */
  const tenantAndPublic = async () => {
    const db = await database();
    for (const schema of ['tenant_a', 'public']) {
      await db.sql.query(`CREATE SCHEMA IF NOT EXISTS ${schema}; CREATE TABLE ${schema}.events (id bigserial PRIMARY KEY, body text, at timestamptz NOT NULL)`);
      await db.sql.query(
        `INSERT INTO ${schema}.events (body, at) SELECT '${schema} ' || i, $1::timestamptz + i * interval '1 hour' FROM generate_series(1, 3000) i`,
        [daysAgo(200).toISOString()],
      );
    }
    const job = (schema: string) => ({ job: `${schema.replace('_', '-')}-events`, table: `${schema}.events`, key: 'id', time: 'at', retentionDays: 30 });
    const a = await app(db.url, { module: { storage: store, tables: [job('tenant_a'), job('public')] } });
    expect((await a.archival.run('tenant-a-events')).status).toBe('succeeded');
    return { db, a };
  };

  it('an archive restored before the catalog held schemas is not public\'s when another schema has a table of its name', async () => {
    const { db, a } = await tenantAndPublic();
    const old = await a.catalog.listArchives({ table: 'events' });
    for (const archive of old) await a.context.get(RestoreService).restore({ archiveId: archive.id }, 'cli');
    // As migration 0005 left archives restored before it: no schema in the catalog (and 0006 counted their parts as public's).
    await db.sql.query(`UPDATE archived_partitions SET schema_name = NULL`);
    await db.sql.query(
      `INSERT INTO archive_part_counters (schema_name, table_name, start_date, last_part)
       SELECT 'public', table_name, start_date, max(part) FROM archived_partitions GROUP BY 2, 3
       ON CONFLICT (schema_name, table_name, start_date) DO UPDATE SET last_part = greatest(archive_part_counters.last_part, EXCLUDED.last_part)`,
    );
    // public.events' purges take the same ids: they neither strike the keys nor remove the files.
    expect((await a.archival.run('public-events')).status).toBe('succeeded');
    const after = await a.catalog.findArchives(old.map((x) => x.id));
    expect(after.map((x) => [x.status, x.restoredKeyCount])).toEqual(old.map((x) => ['restored', x.rowCount]));
    for (const archive of after) await expect(access(join(store, archive.archivePath))).resolves.toBeUndefined();
  });

  it('an archive recorded before the catalog held schemas, restored into its schema, is that table\'s alone', async () => {
    const { db, a } = await tenantAndPublic();
    const old = await a.catalog.listArchives({ table: 'events' });
    // As migration 0005 left archives written before it: no schema in the catalog (the manifest names it).
    await db.sql.query(`UPDATE archived_partitions SET schema_name = NULL`);
    for (const archive of old) await a.context.get(RestoreService).restore({ archiveId: archive.id }, 'cli');
    expect((await a.catalog.findArchives(old.map((x) => x.id))).map((x) => [x.status, x.schemaName])).toEqual(old.map(() => ['restored', 'tenant_a']));

    // public.events has the same ids: its purges do not strike tenant_a's restored keys, nor supersede their archives.
    expect((await a.archival.run('public-events')).status).toBe('succeeded');
    expect((await a.catalog.findArchives(old.map((x) => x.id))).map((x) => x.status)).toEqual(old.map(() => 'restored'));
    // tenant_a.events' own next run takes the rows again and supersedes them: each row in one live archive.
    expect((await a.archival.run('tenant-a-events')).status).toBe('succeeded');
    expect((await a.catalog.findArchives(old.map((x) => x.id))).map((x) => x.status)).toEqual(old.map(() => 'superseded'));
  });

  it('two databases (production and a staging copy) on one archive path', async () => {
    const [production, staging] = [await database(), await database()];
    for (const db of [production, staging]) {
      await seedLogs(db.sql, { rows: 5_000, days: 200 });
      await db.sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);
    }
    const prod = await app(production.url, { module: { storage: store } });
    const stage = await app(staging.url, { module: { storage: store } });
    expect((await prod.archival.run('log-archival')).status).toBe('succeeded');
    expect((await stage.archival.run('log-archival')).status).toBe('succeeded');

    const prodArchives = await prod.catalog.listArchives({});
    const stageArchives = await stage.catalog.listArchives({});
    const stageKeys = stageArchives.flatMap((x) => [x.archivePath, x.manifestPath]).sort();
    // Same tables, windows and part numbers, different keys.
    expect(prodArchives.map((x) => x.partitionName)).toEqual(stageArchives.map((x) => x.partitionName));
    expect(prodArchives.some((x) => stageKeys.includes(x.archivePath))).toBe(false);
    // Each catalog's archives are intact; the other's objects are listed as not in this catalog.
    const report = await verifyAll(prod);
    expect(report).toMatchObject({ problems: [], missing: [] });
    expect([...report.untracked].sort()).toEqual(stageKeys);

    for (const [a, db] of [[prod, production], [stage, staging]] as const) {
      await restoreAll(a, 'flow_execution_logs');
      expect(await count(db.sql, 'flow_execution_logs')).toBe(5_000);
      expect(await rowDifference(db.sql, 'original', 'flow_execution_logs')).toBe(0);
    }
  });
});
