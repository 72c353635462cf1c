/**
 * `npm start`: the demo host API with the archival module. Without
 * DATABASE_URL it runs on an embedded PostgreSQL (data in ./.data/postgres)
 * and writes archives to ./.data/archives.
 */
import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { config as loadDotEnv } from 'dotenv';
import { AppModule } from './app.module';
import { ConfigurationError } from './archival/archival.errors';
import { setUpArchivalOpenApi } from './archival/admin/openapi';
import { demoHostConfiguration } from './demo/demo-config';
import { openDemoDatabase } from './demo/demo-database';

export async function bootstrap(env: NodeJS.ProcessEnv = process.env) {
  const logger = new Logger('DemoHost');
  const { port } = demoHostConfiguration(env); // fail fast, before starting a database
  const database = await openDemoDatabase(env);
  const app = await NestFactory.create(
    AppModule.forDemo(env, database, { schedule: true }),
    // LOG_FORMAT=json: one JSON object per line, the archival events' fields included.
    { abortOnError: false, logger: new ConsoleLogger({ json: env.LOG_FORMAT === 'json' }) },
  );
  const docs = setUpArchivalOpenApi(app);
  await app.listen(port, env.HOST ?? '127.0.0.1');
  logger.log(`API listening on http://localhost:${port} (GET /health, /health/ready, /metrics${docs ? `; admin API docs at ${docs}` : ''})`);
  logger.log(database.embedded ? `embedded PostgreSQL, data in ${database.dataDir}` : 'PostgreSQL from DATABASE_URL');
  // Signals are handled here, not by enableShutdownHooks: the database must stop after the app.
  const stop = async () => {
    await app.close();
    await database.stop();
  };
  return { app, stop };
}

if (require.main === module) {
  loadDotEnv({ quiet: true } as never);
  bootstrap().then(
    ({ stop }) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => void stop().then(() => process.exit(0)));
      }
    },
    (error: Error) => {
      console.error(error instanceof ConfigurationError ? error.message : error);
      process.exit(1);
    },
  );
}
