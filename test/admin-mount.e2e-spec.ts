import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import request from 'supertest';
import { archivalOpenApiDocument, setUpArchivalOpenApi } from '../src/archival/admin/openapi';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { until } from './harness/poll';
import { seedLogs } from './harness/seed';

const TOKEN = 'admin-token-that-must-stay-secret';
const bearer = { Authorization: `Bearer ${TOKEN}` };
type Headers = Record<string, string>;

/** The host's own global guard: its operators send x-host-user: operator. */
@Injectable()
class HostGlobalGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Headers }>().headers['x-host-user'] === 'operator';
  }
}

/** A guard class the host hands the module instead of the token guard; it injects what the module's scope offers. */
@Injectable()
class OperatorKeyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    return this.reflector !== undefined && context.switchToHttp().getRequest<{ headers: Headers }>().headers['x-operator-key'] === 'letmein';
  }
}

describe('the admin API where the host mounts it', () => {
  let db: TestDatabase;
  const apps: ArchivalTestApp[] = [];
  const mount = async (...args: Parameters<typeof createArchivalApp>) => {
    const app = await createArchivalApp(...args);
    apps.push(app);
    return { app, api: () => request(app.server as never) };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedLogs(db.sql, { rows: 500, days: 200, now: FIXED_NOW });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it('answers at a custom path, not at the default, and documents the routes there', async () => {
    const { app, api } = await mount(db.url, { module: { adminToken: TOKEN, admin: { path: '/ops/archival/' } }, http: true, host: {
      setUp: (host) => expect(setUpArchivalOpenApi(host)).toBe('/ops/archival/docs'),
    } });
    expect((await api().get('/ops/archival/jobs').set(bearer)).status).toBe(200);
    expect((await api().get('/ops/archival/jobs')).status).toBe(401);
    expect((await api().get('/admin/archival/jobs').set(bearer)).status).toBe(404);
    const started = await api().post('/ops/archival/jobs/log-archival/run').set(bearer).send({ dryRun: true });
    expect(started.status).toBe(202);
    await until(async () => (await api().get(`/ops/archival/runs/${started.body.runId}`).set(bearer)).body, (run) => run.status !== 'running', 'the dry run');

    const served = await api().get('/ops/archival/docs-json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(archivalOpenApiDocument(app.context as never))));
    const paths = Object.keys(served.body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/ops/archival/jobs', '/ops/archival/jobs/{name}/run', '/ops/archival/restore', '/ops/archival/export']));
    expect(paths.every((p) => p.startsWith('/ops/archival/'))).toBe(true);
    expect(served.body.paths['/ops/archival/jobs'].get.security).toEqual([{ bearer: [] }]);
    expect((await api().get('/admin/archival/docs-json')).status).toBe(404);
  });

  it("guard: false mounts the routes without the token guard, says so at start-up, and the host's own global guard decides", async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const { app, api } = await mount(db.url, { module: { admin: { guard: false } }, http: true, host: {
      providers: [{ provide: APP_GUARD, useClass: HostGlobalGuard }],
    } });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ event: 'admin.mounted', path: '/admin/archival', guard: false }));
    warn.mockRestore();
    // No ARCHIVAL_ADMIN_TOKEN is set: the token guard would answer 403 "set ARCHIVAL_ADMIN_TOKEN" to everyone.
    expect((await api().get('/admin/archival/jobs').set('x-host-user', 'operator')).status).toBe(200);
    const refused = await api().get('/admin/archival/jobs').set(bearer);
    expect(refused.status).toBe(403);
    expect(refused.body.message).not.toContain('ARCHIVAL_ADMIN_TOKEN');
    expect((await api().post('/admin/archival/jobs/log-archival/run').send({ dryRun: true })).status).toBe(403);
    const started = await api().post('/admin/archival/jobs/log-archival/run').set('x-host-user', 'operator').send({ dryRun: true });
    expect(started.status).toBe(202);
    await until(() => app.catalog.findRun(started.body.runId), (run) => run?.status !== 'running', 'the dry run');
    const document = archivalOpenApiDocument(app.context as never)!;
    expect(document.components?.securitySchemes).toBeUndefined();
    expect(document.paths['/admin/archival/jobs'].get!.security).toBeUndefined();
  });

  it('a guard class replaces the token guard', async () => {
    const { api } = await mount(db.url, { module: { adminToken: TOKEN, admin: { guard: OperatorKeyGuard } }, http: true });
    expect((await api().get('/admin/archival/jobs').set(bearer)).status).toBe(403);
    expect((await api().get('/admin/archival/jobs').set('x-operator-key', 'letmein')).status).toBe(200);
    expect((await api().get('/admin/archival/archives').set('x-operator-key', 'wrong')).status).toBe(403);
  });

  it('enabled: false mounts no admin route and no OpenAPI document', async () => {
    const { app, api } = await mount(db.url, { module: { adminToken: TOKEN, admin: { enabled: false } }, http: true, host: {
      setUp: (host) => expect(setUpArchivalOpenApi(host)).toBeUndefined(),
    } });
    expect((await api().get('/admin/archival/jobs').set(bearer)).status).toBe(404);
    expect((await api().post('/admin/archival/jobs/log-archival/run').set(bearer).send({})).status).toBe(404);
    expect((await api().get('/admin/archival/docs-json')).status).toBe(404);
    expect(archivalOpenApiDocument(app.context as never)).toBeUndefined();
    // The module itself still works: jobs run from code and the CLI.
    expect((await app.archival.run('log-archival', { dryRun: true })).status).toBe('succeeded');
  });
});
