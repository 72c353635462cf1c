/**
 * A host that names no preset gets none: only the jobs of the tables it
 * declared, on a database that holds its own tables and the catalog's, and
 * none of the demo's.
 */
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ARCHIVAL_ENTITIES, ArchivalModule } from '../src/archival/archival.module';
import { ARCHIVAL_MIGRATIONS } from '../migrations';
import { createTestDatabase, TestDatabase } from './harness/database';

const TOKEN = 'presets-e2e-admin-token-0123456789abcdef';

describe('a host with only a declared table', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let archiveDir: string;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    await db.sql.query('CREATE TABLE audit_events (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL)');
    archiveDir = await mkdtemp(join(tmpdir(), 'archival-presets-'));
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres', url: db.url, entities: [...ARCHIVAL_ENTITIES], migrations: ARCHIVAL_MIGRATIONS, migrationsRun: true,
        }),
        ArchivalModule.forRoot({
          storage: archiveDir, schedule: false, adminToken: TOKEN,
          tables: [{ job: 'audit-archival', table: 'audit_events', key: 'id', time: 'occurred_at' }],
        }),
      ],
    }).compile();
    app = await moduleRef.createNestApplication().init();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it('lists only its own job', async () => {
    const response = await request(app.getHttpServer()).get('/admin/archival/jobs').set('Authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect((response.body as { name: string }[]).map((job) => job.name)).toEqual(['audit-archival']);
  });

  it('has no preset to run, and no demo table in its database', async () => {
    const response = await request(app.getHttpServer()).post('/admin/archival/jobs/log-archival/run').set('Authorization', `Bearer ${TOKEN}`).send({});
    expect(response.status).toBe(404);
    const { rows } = await db.sql.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)`,
      [['flow_execution_logs', 'flow_execution_sessions', 'flow_execution_deltas', 'call_sessions', 'call_events', 'memory_chunks']],
    );
    expect(rows).toEqual([]);
  });
});
