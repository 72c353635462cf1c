import { INestApplication } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { archivalOpenApiDocument } from '../src/archival/admin/openapi';
import { ArchivalTestApp, ArchivalTestOptions, createArchivalApp } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';

const TOKEN = 'admin-token-that-must-stay-secret';

describe("the operator's page (GET <admin path>/ui)", () => {
  let db: TestDatabase;
  const apps: ArchivalTestApp[] = [];
  const mount = async (options: ArchivalTestOptions['module']) => {
    const app = await createArchivalApp(db.url, { module: options, http: true });
    apps.push(app);
    return { app, api: () => request(app.server as never) };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it('serves the page without the token, as HTML under a strict CSP, with no data in it', async () => {
    const { api } = await mount({ adminToken: TOKEN });
    const page = await api().get('/admin/archival/ui');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' });
    expect(page.text).not.toContain(TOKEN);
    expect(page.text).not.toContain('log-archival');
    // The API stays behind the guard.
    expect((await api().get('/admin/archival/jobs')).status).toBe(401);
  });

  it('serves its script and style with their content types', async () => {
    const { api } = await mount({ adminToken: TOKEN });
    for (const module of ['app.js', 'api.js', 'dom.js', 'rows.js']) {
      const script = await api().get(`/admin/archival/ui/${module}`);
      expect(script.status).toBe(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    }
    expect((await api().get('/admin/archival/ui/api.js')).text).toContain('Authorization');
    const style = await api().get('/admin/archival/ui/app.css');
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await api().get('/admin/archival/ui/favicon.svg')).headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect((await api().get('/admin/archival/ui/other.js')).status).toBe(404);
    expect((await api().get('/admin/archival/ui/index.html')).status).toBe(404);
    expect((await api().get('/admin/archival/ui/..%2F..%2Fadmin-ui.controller.ts')).status).toBe(404);
  });

  it('has no inline script or style, which the CSP would block, and puts no API string into HTML', () => {
    const dir = join(__dirname, '..', 'src', 'archival', 'admin', 'ui');
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="ui/app.js">']);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    const scripts = readdirSync(dir).filter((file) => file.endsWith('.js'));
    expect(scripts.sort()).toEqual(['api.js', 'app.js', 'dom.js', 'rows.js']);
    for (const file of scripts) {
      expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|setAttribute\('style'/);
    }
  });

  it('redirects ui/ to ui, so its relative links resolve', async () => {
    const { api } = await mount({ adminToken: TOKEN });
    const slash = await api().get('/admin/archival/ui/');
    expect(slash.status).toBe(301);
    expect(slash.headers.location).toBe('../ui');
  });

  it('follows the admin mount: a custom path, or none when the admin API is disabled', async () => {
    const custom = await mount({ adminToken: TOKEN, admin: { path: 'ops/archival' } });
    expect((await custom.api().get('/ops/archival/ui')).status).toBe(200);
    expect((await custom.api().get('/ops/archival/ui/app.js')).status).toBe(200);
    expect((await custom.api().get('/admin/archival/ui')).status).toBe(404);
    const off = await mount({ adminToken: TOKEN, admin: { enabled: false } });
    expect((await off.api().get('/admin/archival/ui')).status).toBe(404);
  });

  it('is not part of the OpenAPI document of the admin API', async () => {
    const { app } = await mount({ adminToken: TOKEN });
    const document = archivalOpenApiDocument(app.context as INestApplication)!;
    expect(Object.keys(document.paths).some((path) => path.includes('/ui'))).toBe(false);
    expect(Object.keys(document.paths)).toContain('/admin/archival/jobs');
  });

  it('is copied into the build by nest build (nest-cli.json assets)', () => {
    const cli = JSON.parse(readFileSync(join(__dirname, '..', 'nest-cli.json'), 'utf8'));
    expect(cli.compilerOptions.assets).toContainEqual(expect.objectContaining({ include: 'archival/admin/ui/**/*', outDir: 'dist/src' }));
  });
});
