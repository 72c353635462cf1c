/**
 * The application context a command runs in: the host's module (--module) or
 * the demo host. Either way inside a root that imports
 * ArchivalSchedulesOffModule, so a command never starts the archival crons.
 */
import { DynamicModule, INestApplicationContext, LogLevel, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { InvalidInputError } from '../archival/archival.errors';
import { ArchivalService } from '../archival/archival.service';
import { ArchivalSchedulesOffModule } from '../archival/scheduler/schedules-off.module';
import { MigrationResult, runCatalogMigrations } from './catalog-migrations';
import { loadHostModule, ModuleSpec } from './host-module';

export interface CliHost {
  context: INestApplicationContext;
  /** `archival migrate`: the migrations this host's CLI is to run. */
  migrate(): Promise<MigrationResult>;
  /** After the context closed: stops what the host started besides it (the demo's embedded database). */
  stop(): Promise<void>;
}

export interface CliHostOptions {
  logger: false | LogLevel[];
  /** The command is `migrate` (the demo host migrates while it starts). */
  migrate: boolean;
}

@Module({})
class ArchivalCliModule {}

export function withSchedulesOff(module: Type | DynamicModule): DynamicModule {
  return { module: ArchivalCliModule, imports: [ArchivalSchedulesOffModule, module] };
}

export async function openHostModule(spec: ModuleSpec, options: CliHostOptions): Promise<CliHost> {
  const host = loadHostModule(spec);
  const context = await NestFactory.createApplicationContext(withSchedulesOff(host.module), { logger: options.logger, abortOnError: false });
  if (!provides(context, ArchivalService)) {
    await context.close();
    throw new InvalidInputError(`${spec.source}: "${spec.exportName}" does not import ArchivalModule (ArchivalModule.forRoot or forRootAsync, from this copy of the package)`);
  }
  return { context, migrate: () => runCatalogMigrations(context.get(DataSource)), stop: async () => undefined };
}

function provides(context: INestApplicationContext, token: Type): boolean {
  try {
    context.get(token, { strict: false });
    return true;
  } catch {
    return false;
  }
}
