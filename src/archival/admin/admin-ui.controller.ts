/**
 * The operator's page at `<admin path>/ui`: static files shipped in the
 * package (ui/, copied beside the compiled code by nest build). The page and
 * its assets carry no data, so they are served without the admin guard (a
 * browser sends no Authorization header on navigation); the page asks for the
 * token and calls the guarded admin API with it.
 */
import { Controller, Get, Header, Logger, NotFoundException, Param, Req, Res, Type } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminMount } from './admin-options';

/** Scripts, styles and API calls from this origin only; no inline code, no framing, no outside requests. */
export const ADMIN_UI_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const UI_DIR = join(__dirname, 'ui');
const JS = 'text/javascript; charset=utf-8';
const ASSETS = new Map([['app.js', JS], ['api.js', JS], ['dom.js', JS], ['rows.js', JS], ['app.css', 'text/css; charset=utf-8'], ['favicon.svg', 'image/svg+xml; charset=utf-8']]);
const cache = new Map<string, string>();

/**
 * Read on first request, not at mount: a process that serves no HTTP (the CLI)
 * or a build that left the files out (plain tsc copies no assets) still starts.
 */
function asset(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    try {
      text = readFileSync(join(UI_DIR, name), 'utf8');
    } catch {
      new Logger('ArchivalAdmin').error({ event: 'admin.ui_missing', file: join(UI_DIR, name), fix: 'copy src/archival/admin/ui beside the compiled admin/ (nest build does it: nest-cli.json assets)' });
      throw new NotFoundException('The archival admin page is not installed with this build.');
    }
    cache.set(name, text);
  }
  return text;
}

interface UiRequest { url: string }
interface UiResponse { redirect(status: number, url: string): void; send(body: string): void; setHeader(name: string, value: string): void }

export function createAdminUiController(mount: AdminMount): Type<unknown> {
  @ApiExcludeController()
  @Controller(mount.path)
  class ArchivalAdminUiController {
    @Get('ui')
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', ADMIN_UI_CSP)
    @Header('Cache-Control', 'no-store')
    @Header('Referrer-Policy', 'no-referrer')
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('X-Frame-Options', 'DENY')
    page(@Req() request: UiRequest, @Res() response: UiResponse) {
      // The page links its assets and the API relatively: from `ui/` they would resolve one level too deep.
      if (request.url.split('?')[0].endsWith('/')) return response.redirect(301, '../ui');
      response.send(asset('index.html'));
    }

    /** The page's modules and style: only the files listed, never a path. */
    @Get('ui/:file')
    @Header('Cache-Control', 'no-cache')
    @Header('X-Content-Type-Options', 'nosniff')
    file(@Param('file') name: string, @Res({ passthrough: true }) response: UiResponse) {
      const type = ASSETS.get(name);
      if (!type) throw new NotFoundException();
      const text = asset(name);
      response.setHeader('Content-Type', type);
      return text;
    }
  }
  return ArchivalAdminUiController;
}
