/**
 * The admin API's OpenAPI document, served at /admin/archival/docs (Swagger UI)
 * and /admin/archival/docs-json. The document describes routes; calling them
 * still needs the bearer token ("Authorize" in the UI).
 */
import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ArchivalModule } from '../archival.module';

export const OPENAPI_PATH = 'admin/archival/docs';

export function setUpArchivalOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('nest-archival admin API')
    .setDescription('Jobs, runs, archives, restore, verify and export. Every route needs `Authorization: Bearer <ARCHIVAL_ADMIN_TOKEN>`.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'the ARCHIVAL_ADMIN_TOKEN: an opaque secret, not a JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { include: [ArchivalModule] });
  SwaggerModule.setup(OPENAPI_PATH, app, document, { jsonDocumentUrl: `${OPENAPI_PATH}-json` });
}
