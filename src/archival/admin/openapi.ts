/**
 * The admin API's OpenAPI document, served beside the routes: at
 * /admin/archival/docs (Swagger UI) and /admin/archival/docs-json by default,
 * under the host's admin path when it set one, and not at all when the admin
 * API is disabled. The document describes routes; calling them still takes
 * the guard (with the token guard, "Authorize" in the UI).
 */
import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ArchivalModule } from '../archival.module';
import { ARCHIVAL_ADMIN } from '../archival.constants';
import { AdminMount } from './admin-options';
import { AdminTokenGuard } from './admin-token.guard';

/** Builds the document of the admin routes at the path they are mounted; undefined when the admin API is disabled. */
export function archivalOpenApiDocument(app: INestApplication): OpenAPIObject | undefined {
  const mount = app.get<AdminMount>(ARCHIVAL_ADMIN, { strict: false });
  if (!mount.enabled) return undefined;
  const config = new DocumentBuilder()
    .setTitle('nest-archival admin API')
    .setDescription(
      mount.guard === AdminTokenGuard
        ? 'Jobs, runs, archives, restore, verify and export. Every route needs `Authorization: Bearer <ARCHIVAL_ADMIN_TOKEN>`.'
        : `Jobs, runs, archives, restore, verify and export. The routes are guarded by the host (${mount.guard ? mount.guard.name : 'its own global guard or middleware'}).`,
    )
    .setVersion('1');
  if (mount.guard === AdminTokenGuard) {
    config.addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'the ARCHIVAL_ADMIN_TOKEN: an opaque secret, not a JWT' });
  }
  return SwaggerModule.createDocument(app, config.build(), { include: [ArchivalModule] });
}

/** Serves the document at `<admin path>/docs` (call before app.listen or app.init); returns that path, or undefined when disabled. */
export function setUpArchivalOpenApi(app: INestApplication): string | undefined {
  const document = archivalOpenApiDocument(app);
  if (!document) return undefined;
  const path = `${app.get<AdminMount>(ARCHIVAL_ADMIN, { strict: false }).path}/docs`;
  SwaggerModule.setup(path, app, document, { jsonDocumentUrl: `${path}-json` });
  return `/${path}`;
}
