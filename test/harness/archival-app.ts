/** The module as a host would mount it, over a test database and a temp archive directory. */
import { INestApplication, INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchivalOptionsInput } from '../../src/archival/archival-options';
import { ARCHIVAL_CLOCK, ARCHIVAL_HOOKS } from '../../src/archival/archival.constants';
import { ArchivalModule } from '../../src/archival/archival.module';
import { ArchivalModuleExtras } from '../../src/archival/archival.module-definition';
import { PRESET_NAMES } from '../../src/archival/archivers/preset-names';
import { ArchivalService } from '../../src/archival/archival.service';
import { CatalogService } from '../../src/archival/catalog/catalog.service';
import { ArchivalDatabase } from '../../src/archival/engine/archival-database';
import { ArchivalHooks } from '../../src/archival/engine/archival-hooks';
import { dataSourceOptions } from '../../src/demo/data-source-options';

import { FIXED_NOW } from './clock';

/** The instant tests seed relative to, and the clock their runs read (see clock.ts). */
export { FIXED_NOW };

type PostgresConnectionOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

export interface ArchivalTestApp {
  context: INestApplicationContext;
  /** The HTTP server, when created with `http: true`. */
  server?: unknown;
  archival: ArchivalService;
  catalog: CatalogService;
  archiveDir: string;
  close(): Promise<void>;
}

/** How a test mounts the module: each field optional. */
export interface ArchivalTestOptions {
  /** The module's options, and its static extras (admin: path, guard, enabled); every preset unless `presets` says. */
  module?: ArchivalOptionsInput & ArchivalModuleExtras;
  hooks?: ArchivalHooks;
  /** Runs see this instant as "now", so cutoffs do not drift between runs (default FIXED_NOW). */
  now?: Date;
  /** An HTTP application (`server`) rather than a context alone. */
  http?: boolean;
  /** Extra overrides, e.g. a storage provider that fails on purpose. */
  configure?: (builder: TestingModuleBuilder) => void;
  /**
   * Host parts mounted beside the module, e.g. PrometheusModule and the demo's HealthController;
   * `setUp` runs on the HTTP app before init (as a host's main does, e.g. setUpArchivalOpenApi);
   * `dataSource`: options of the host's DataSource over the demo's (e.g. replication, extra).
   */
  host?: {
    imports?: ModuleMetadata['imports'];
    controllers?: ModuleMetadata['controllers'];
    providers?: ModuleMetadata['providers'];
    setUp?: (app: INestApplication) => void;
    dataSource?: Partial<PostgresConnectionOptions>;
  };
}

export async function createArchivalApp(
  databaseUrl: string,
  { module: options = {}, hooks, now = FIXED_NOW, http = false, configure, host = {} }: ArchivalTestOptions = {},
): Promise<ArchivalTestApp> {
  const archiveDir = typeof options.storage === 'string' ? options.storage : await mkdtemp(join(tmpdir(), 'archival-archives-'));
  const builder = Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({ ...dataSourceOptions(databaseUrl, false), ...host.dataSource } as PostgresConnectionOptions),
      ArchivalModule.forRoot({ storage: archiveDir, schedule: false, presets: PRESET_NAMES, ...options }),
      ...(host.imports ?? []),
    ],
    controllers: host.controllers ?? [],
    providers: host.providers ?? [],
  });
  if (hooks) builder.overrideProvider(ARCHIVAL_HOOKS).useValue(hooks);
  builder.overrideProvider(ARCHIVAL_CLOCK).useValue(() => now);
  configure?.(builder);
  const moduleRef = await builder.compile();
  const app = http ? moduleRef.createNestApplication() : undefined;
  // A start-up that fails (as some tests want) must not leave its connections behind: the database is dropped
  // later, which terminates them. Nest's close() awaits the failed start-up and rethrows, so they are closed here.
  const context = await (app ? httpApp(app, host.setUp) : moduleRef.init()).catch(async (error: Error) => {
    await moduleRef.get(ArchivalDatabase, { strict: false }).onApplicationShutdown().catch(() => undefined);
    await moduleRef.get(DataSource, { strict: false }).destroy().catch(() => undefined);
    throw error;
  });
  return {
    context,
    server: http ? (context as INestApplication).getHttpServer() : undefined,
    archival: context.get(ArchivalService),
    catalog: context.get(CatalogService),
    archiveDir,
    async close() {
      await context.close();
      if (typeof options.storage !== 'string') await rm(archiveDir, { recursive: true, force: true });
    },
  };
}

async function httpApp(app: INestApplication, setUp?: (app: INestApplication) => void): Promise<INestApplication> {
  setUp?.(app);
  return app.init();
}
