import { RestoreService } from '../src/archival/restore/restore.service';
import { ArchivalTestApp, createArchivalApp } from './harness/archival-app';
import { rowDifference } from './harness/archives';
import { daysAgo } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';

/** A table wider than a PostgreSQL function's 100 arguments (a Parquet typed line is built by json_build_array). */
const EXTRA = 230;
const TYPES = ['integer', 'text', 'boolean', 'jsonb', 'numeric(12,3)', 'timestamptz', 'uuid'];
const VALUES = ['i', `'v ' || i`, 'i % 2 = 0', `jsonb_build_object('i', i)`, 'i / 7.0', `now() - i * interval '1 minute'`, 'gen_random_uuid()'];

describe.each(['json', 'parquet'] as const)('a table of more than 100 columns (%s)', (format) => {
  let db: TestDatabase;
  let app: ArchivalTestApp;
  const columns = Array.from({ length: EXTRA }, (_, i) => ({ name: `c${i}`, type: TYPES[i % TYPES.length], value: VALUES[i % VALUES.length] }));

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.query(`CREATE TABLE wide (id bigserial PRIMARY KEY, at timestamptz NOT NULL, ${columns.map((c) => `${c.name} ${c.type}`).join(', ')})`);
    // Every seventh row NULL in every column but the key and the time.
    await db.sql.query(
      `INSERT INTO wide (at, ${columns.map((c) => c.name).join(', ')})
       SELECT $1::timestamptz + i * interval '1 hour', ${columns.map((c) => `CASE WHEN i % 7 = 0 THEN NULL ELSE ${c.value} END`).join(', ')}
         FROM generate_series(1, 300) i`,
      [daysAgo(200).toISOString()],
    );
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM wide`);
    app = await createArchivalApp(db.url, { module: {
      format, maxRowsPerFile: 100, batchSize: 40, tables: [{ job: 'wide-archival', table: 'wide', key: 'id', time: 'at', retentionDays: 30 }],
    } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it(`archives, purges and restores all ${EXTRA + 2} columns exactly`, async () => {
    expect(await app.archival.run('wide-archival')).toMatchObject({ status: 'succeeded', rows: 300 });
    expect(await count(db.sql, 'wide')).toBe(0);
    await app.context.get(RestoreService).restore({ table: 'wide' }, 'cli');
    expect(await rowDifference(db.sql, 'original', 'wide')).toBe(0);
  });
});
