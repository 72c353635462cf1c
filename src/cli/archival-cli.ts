/**
 * The `archival` command: the module in a Nest standalone context, for
 * operators and cron-less deployments. Exit code 0 on success, 1 when the
 * work failed, 2 on bad usage; `--json` prints machine-readable output.
 */
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { ArchivalError, ConfigurationError } from '../archival/archival.errors';
import { ArchivalService } from '../archival/archival.service';
import { ArchiveStatus } from '../archival/catalog/archived-partition.entity';
import { CatalogService } from '../archival/catalog/catalog.service';
import { archivalOptionsFromEnv } from '../archival/config/archival-env';
import { openDemoDatabase } from '../demo/demo-database';
import { parseArgs } from './cli-args';
import { formatTable } from './format-table';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const USAGE = `usage: archival <command> [options]

commands:
  jobs                          list jobs with their schedule, retention and last run
  run <job> [--dry-run]         run a job now (--dry-run: report, write and delete nothing)
  archives [--table T] [--status S] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                                list archives from the catalog
  migrate                       create or update the catalog (and demo) tables

options:
  --json                        machine-readable output
  --help                        this text

Reads the environment and .env (see docs/configuration.md). Without DATABASE_URL it
uses the demo's embedded PostgreSQL under ./.data.`;

export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  const json = args.flags.json === true;
  if (!args.command || args.flags.help) {
    io.out(USAGE);
    return args.command || args.flags.help ? 0 : 2;
  }
  const command = COMMANDS[args.command];
  if (!command) {
    io.err(`archival: unknown command "${args.command}"\n\n${USAGE}`);
    return 2;
  }
  let context: INestApplicationContext | undefined;
  let stopDatabase = async () => undefined as void;
  // SIGTERM/SIGINT: running jobs stop at their next safe point, then the command exits.
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= context?.close() ?? Promise.resolve());
  const onSignal = () => {
    io.err('archival: stopping at the next safe point...');
    void close();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    archivalOptionsFromEnv(env);
    const database = await openDemoDatabase(env);
    stopDatabase = () => database.stop();
    context = await NestFactory.createApplicationContext(
      AppModule.forDemo(env, database, { schedule: false, migrate: args.command === 'migrate' }),
      { logger: json ? false : ['error', 'warn'], abortOnError: false },
    );
    return await command(context, args.positional, args.flags, { io, json });
  } catch (error) {
    const message = error instanceof ArchivalError ? error.message : String((error as Error).stack ?? error);
    if (json) io.out(JSON.stringify({ error: message }));
    else io.err(`archival: ${message}`);
    return error instanceof ConfigurationError ? 2 : 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await close();
    await stopDatabase();
  }
}

interface Output {
  io: CliIo;
  json: boolean;
}
type Command = (context: INestApplicationContext, positional: string[], flags: Record<string, string | true>, output: Output) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  async jobs(context, _positional, _flags, { io, json }) {
    const archival = context.get(ArchivalService);
    const catalog = context.get(CatalogService);
    const jobs = await Promise.all(
      archival.jobs().map(async (job) => ({ ...job, lastRun: await catalog.lastRun(job.name) })),
    );
    if (json) io.out(JSON.stringify(jobs, null, 2));
    else io.out(formatTable(jobs.map((j) => ({
      job: j.name, enabled: j.enabled, cron: j.cron, retentionDays: j.retentionDays, tables: j.tables.join(','),
      lastRun: j.lastRun ? `${j.lastRun.status} ${j.lastRun.startedAt.toISOString()}` : '-',
    }))));
    return 0;
  },

  async run(context, positional, flags, { io, json }) {
    const [job] = positional;
    if (!job) throw new ConfigurationError(['run needs a job name; see `archival jobs`']);
    const report = await context.get(ArchivalService).run(job, { dryRun: flags['dry-run'] === true, trigger: 'cli' });
    if (json) io.out(JSON.stringify(report, null, 2));
    else {
      const verb = report.dryRun ? 'would archive' : 'archived';
      io.out(`${report.job}: ${report.status}, ${verb} ${report.rows} rows in ${report.archives} archives (${report.bytes} bytes), run ${report.runId}`);
      for (const table of report.tables) {
        for (const window of table.plan ?? []) io.out(`  ${table.table} ${window.window}: ${window.rows} rows, ${window.parts} part(s)`);
        for (const archive of table.archives) io.out(`  ${archive.path}: ${archive.rows} rows, ${archive.bytes} bytes`);
      }
      if (report.error) io.err(`archival: ${report.error}`);
    }
    return report.status === 'succeeded' ? 0 : 1;
  },

  async archives(context, _positional, flags, { io, json }) {
    const text = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
    const archives = await context.get(CatalogService).listArchives({
      table: text('table'), status: text('status') as ArchiveStatus | undefined, from: text('from'), to: text('to'),
    });
    if (json) io.out(JSON.stringify(archives, null, 2));
    else io.out(formatTable(archives.map((a) => ({
      id: a.id, table: a.tableName, window: `${a.startDate}..${a.endDate}`, part: a.part, status: a.status,
      rows: a.rowCount, bytes: a.compressedSize, path: a.archivePath,
    }))));
    return 0;
  },

  async migrate(context, _positional, _flags, { io, json }) {
    const dataSource = context.get(DataSource);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const pending = await dataSource.showMigrations();
    if (json) io.out(JSON.stringify({ applied: applied.map((m) => m.name), pending }));
    else io.out(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
    return 0;
  },
};
