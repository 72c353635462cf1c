/**
 * The demo host API: a NestJS app on PostgreSQL that mounts ArchivalModule the
 * way a real host would, configured from the environment (.env).
 */
import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { resolve } from 'node:path';
import { ArchivalModule } from './archival/archival.module';
import { PRESET_NAMES } from './archival/archivers/preset-names';
import { archivalOptionsFromEnv } from './archival/config/archival-env';
import { dataSourceOptions } from './demo/data-source-options';
import { DemoDatabase } from './demo/demo-database';
import { HealthController } from './demo/health.controller';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';

export interface AppOptions {
  /** The environment to configure from (process.env plus .env, in main and the CLI). */
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  /** Archive directory when ARCHIVAL_PATH is unset. */
  defaultArchivePath: string;
  /** Run migrations at start (the embedded demo database). */
  migrate: boolean;
  /** Register cron jobs (false for the CLI). */
  schedule: boolean;
}

@Module({})
export class AppModule {
  /** The demo host (schedule: true) or the CLI (schedule: false) over the database openDemoDatabase chose. */
  static forDemo(env: NodeJS.ProcessEnv, database: DemoDatabase, mode: { schedule: boolean; migrate?: boolean }): DynamicModule {
    return AppModule.forRoot({
      env,
      databaseUrl: database.url,
      defaultArchivePath: resolve(env.ARCHIVAL_DEMO_DATA_DIR ?? '.data', 'archives'),
      migrate: database.embedded || env.ARCHIVAL_RUN_MIGRATIONS === 'true' || (mode.migrate ?? false),
      schedule: mode.schedule,
    });
  }

  static forRoot(app: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => app.env] }),
        TypeOrmModule.forRoot(dataSourceOptions(app.databaseUrl, app.migrate)),
        ArchivalModule.forRootAsync({
          // A bad ARCHIVAL_* value stops start-up with a message naming the variable.
          // ARCHIVAL_PATH (local or s3:// with its ARCHIVAL_S3_* settings) wins; the demo default only fills in.
          // The demo's tables are the presets' tables: all four are on unless ARCHIVAL_PRESETS says otherwise.
          useFactory: () =>
            archivalOptionsFromEnv(app.env, {
              ...(app.env.ARCHIVAL_PATH ? {} : { storage: app.defaultArchivePath }),
              ...(app.env.ARCHIVAL_PRESETS?.trim() ? {} : { presets: PRESET_NAMES }),
              schedule: app.schedule,
            }),
        }),
        // The API schedules jobs and serves /health and /metrics; the CLI (schedule: false) does neither.
        // Global modules are the host's to import, the archival module imports none of them.
        ...(app.schedule ? [ScheduleModule.forRoot(), TerminusModule, PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: !defaultMetricsRegistered() } })] : []),
      ],
      controllers: app.schedule ? [HealthController] : [],
    };
  }
}

/** Process metrics register once per process (a second API in the same process, as in tests, reuses them). */
function defaultMetricsRegistered(): boolean {
  return register.getSingleMetric('process_cpu_user_seconds_total') !== undefined;
}
