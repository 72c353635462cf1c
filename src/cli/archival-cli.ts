/**
 * The `archival` command: the module in a Nest standalone context, for
 * operators and cron-less deployments. Exit code 0 on success, 1 when the
 * work failed, 2 on bad usage; `--json` prints machine-readable output.
 */
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { ArchivalError, ConfigurationError, InvalidInputError, UnknownJobError } from '../archival/archival.errors';
import { ArchivalService } from '../archival/archival.service';
import { CatalogService } from '../archival/catalog/catalog.service';
import { ARCHIVE_STATUSES, RUN_STATUSES } from '../archival/catalog/statuses';
import { CONFLICT_STRATEGIES, ConflictStrategy, RestoreService } from '../archival/restore/restore.service';
import { VerifyService } from '../archival/restore/verify.service';
import { ExportService } from '../archival/restore/export.service';
import { archivalOptionsFromEnv } from '../archival/config/archival-env';
import { openDemoDatabase } from '../demo/demo-database';
import { dayOf } from '../archival/input/calendar-date';
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
  runs [--job J] [--status S] [--limit N]
                                list recent runs (jobs and restores)
  verify [--archive ID] [--table T] [--from D] [--to D]
                                re-read archives and check checksums, rows, keys, manifests,
                                the hash chain and (for a full verify) orphans both ways;
                                exit 1 on any problem
  restore (--archive ID | --table T [--from D] [--to D]) [--conflict skip|overwrite|fail]
          [--dry-run] [--ignore-watermark]
                                put archived rows back (children with their parents)
  export <job> <id>             one entity's full history (hot and archived rows, children
                                included) as JSON Lines, e.g. export session-archival <uuid>
  migrate                       create or update the catalog (and demo) tables

options:
  --json                        machine-readable output
  --help                        this text

Reads the environment and .env (see docs/configuration.md). Without DATABASE_URL it
uses the demo's embedded PostgreSQL under ./.data.`;

export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const args = parseArgs(argv, SWITCHES);
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
  // Before anything runs: a typo such as --dryrun must never start a real run.
  const misuse = usageProblem(args.command, args.positional, args.flags);
  if (misuse) {
    io.err(`archival: ${misuse}; see \`archival --help\``);
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
    return isUsageError(error) ? 2 : 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await close();
    await stopDatabase();
  }
}

/** What each command accepts: flags that take a value, switches, and how many positional arguments. */
const ACCEPTS: Record<string, { values: string[]; switches: string[]; positional: number }> = {
  jobs: { values: [], switches: [], positional: 0 },
  run: { values: [], switches: ['dry-run'], positional: 1 },
  archives: { values: ['table', 'status', 'from', 'to'], switches: [], positional: 0 },
  runs: { values: ['job', 'status', 'limit'], switches: [], positional: 0 },
  verify: { values: ['archive', 'table', 'from', 'to'], switches: [], positional: 0 },
  restore: { values: ['archive', 'table', 'from', 'to', 'conflict'], switches: ['dry-run', 'ignore-watermark'], positional: 0 },
  export: { values: [], switches: [], positional: 2 },
  migrate: { values: [], switches: [], positional: 0 },
};
const GLOBAL_SWITCHES = ['json', 'help'];
const SWITCHES = new Set([...GLOBAL_SWITCHES, ...Object.values(ACCEPTS).flatMap((a) => a.switches)]);

/** The first usage problem of a command line, naming the flag or argument; undefined when it is fine. */
export function usageProblem(command: string, positional: string[], flags: Record<string, string | true>): string | undefined {
  const accepts = ACCEPTS[command];
  for (const [name, value] of Object.entries(flags)) {
    if (accepts.values.includes(name)) {
      if (value === true) return `--${name} needs a value`;
    } else if (accepts.switches.includes(name) || GLOBAL_SWITCHES.includes(name)) {
      if (value !== true) return `--${name} takes no value (got ${JSON.stringify(value)})`;
    } else {
      return `${command} has no flag --${name}`;
    }
  }
  if (positional.length > accepts.positional) return `${command} takes ${accepts.positional || 'no'} argument(s), got ${JSON.stringify(positional.join(' '))}`;
  return undefined;
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
    if (!job) throw new InvalidInputError('run needs a job name; see `archival jobs`');
    const report = await context.get(ArchivalService).run(job, { dryRun: flags['dry-run'] === true, trigger: 'cli' });
    if (json) io.out(JSON.stringify(report, null, 2));
    else {
      const verb = report.dryRun ? 'would archive' : 'archived';
      io.out(`${report.job}: ${report.status}, ${verb} ${report.rows} rows in ${report.archives} archives (${report.bytes} bytes), run ${report.runId}`);
      for (const table of report.tables) {
        for (const window of table.plan ?? []) io.out(`  ${table.table} ${window.window}: ${window.rows} rows, ${window.parts} part(s)`);
        for (const archive of table.archives) io.out(`  ${archive.path}: ${archive.rows} rows, ${archive.bytes} bytes`);
        for (const child of table.children) io.out(`  ${child.table} (with their ${table.table}): ${child.rows} rows in ${child.archives} archives, ${child.bytes} bytes`);
      }
      if (report.error) io.err(`archival: ${report.error}`);
    }
    return report.status === 'succeeded' ? 0 : 1;
  },

  async archives(context, _positional, flags, { io, json }) {
    const text = (name: string) => flagText(flags, name);
    const archives = await context.get(CatalogService).listArchives({
      table: text('table'), status: oneOfFlag(flags, 'status', ARCHIVE_STATUSES), ...dateRangeFlags(flags),
    });
    if (json) io.out(JSON.stringify(archives, null, 2));
    else io.out(formatTable(archives.map((a) => ({
      id: a.id, table: a.tableName, window: `${a.startDate}..${a.endDate}`, part: a.part, status: a.status,
      rows: a.rowCount, bytes: a.compressedSize, path: a.archivePath,
    }))));
    return 0;
  },

  async runs(context, _positional, flags, { io, json }) {
    const text = (name: string) => flagText(flags, name);
    const limit = text('limit') === undefined ? 50 : Number(text('limit'));
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidInputError(`--limit ${text('limit')}: expected a whole number from 1`);
    const runs = await context.get(CatalogService).listRuns({ job: text('job'), status: oneOfFlag(flags, 'status', RUN_STATUSES), limit });
    if (json) io.out(JSON.stringify(runs, null, 2));
    else io.out(formatTable(runs.map((r) => ({
      id: r.id, job: r.job, trigger: r.trigger, dryRun: r.dryRun, status: r.status, started: r.startedAt.toISOString(),
      rows: r.rows, bytes: r.bytes, error: r.error ?? '',
    }))));
    return 0;
  },

  async verify(context, _positional, flags, { io, json }) {
    const text = (name: string) => flagText(flags, name);
    const archiveId = archiveIdFlag(flags);
    const report = await context.get(VerifyService).verify({ archiveId, table: text('table'), ...dateRangeFlags(flags) });
    const bad = report.problems.length + report.untracked.length + report.missing.length;
    if (json) io.out(JSON.stringify(report, null, 2));
    else {
      io.out(`checked ${report.checked} archives: ${report.ok} intact, ${report.problems.length} problem(s), ${report.missing.length} missing object(s), ${report.untracked.length} untracked object(s)`);
      for (const p of report.problems) io.out(`  archive ${p.archiveId} ${p.path}: ${p.problem}`);
      for (const m of report.missing) io.out(`  missing: archive ${m.archiveId} ${m.path}`);
      for (const key of report.untracked) io.out(`  untracked: ${key} (in storage, not in the catalog)`);
    }
    return bad === 0 ? 0 : 1;
  },

  async restore(context, _positional, flags, { io, json }) {
    const text = (name: string) => flagText(flags, name);
    const archiveId = archiveIdFlag(flags);
    const conflict = text('conflict') ?? 'skip';
    if (!(CONFLICT_STRATEGIES as readonly string[]).includes(conflict)) {
      throw new InvalidInputError(`--conflict ${conflict}: expected one of ${CONFLICT_STRATEGIES.join(', ')}`);
    }
    const report = await context.get(RestoreService).restore({
      archiveId, table: text('table'), ...dateRangeFlags(flags), conflict: conflict as ConflictStrategy,
      dryRun: flags['dry-run'] === true, ignoreWatermark: flags['ignore-watermark'] === true,
    }, 'cli');
    if (json) io.out(JSON.stringify(report, null, 2));
    else {
      const verb = report.dryRun ? 'would restore' : 'restored';
      io.out(`${verb} ${report.rows} rows from ${report.archives.filter((a) => !a.skipped).length} archives (${report.written} written, conflict=${report.conflict}), run ${report.runId}`);
      for (const a of report.archives) io.out(`  ${a.path}: ${a.skipped ?? `${a.rows} rows, ${a.written} written`}`);
    }
    return 0;
  },

  async export(context, positional, _flags, { io }) {
    const [job, id] = positional;
    if (!job || !id) throw new InvalidInputError('export needs a job and a key, e.g. `archival export session-archival <session id>`');
    for (const line of await context.get(ExportService).export(job, id)) io.out(line);
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

/** Bad usage (exit 2): invalid configuration, a malformed flag or argument, or a job name that is not one of the jobs. */
function isUsageError(error: unknown): boolean {
  return error instanceof ConfigurationError || error instanceof InvalidInputError || error instanceof UnknownJobError;
}

function flagText(flags: Record<string, string | true>, name: string): string | undefined {
  return typeof flags[name] === 'string' ? (flags[name] as string) : undefined;
}

/** `--NAME YYYY-MM-DD`, if given; anything else is a usage error naming the value. */
function dateFlag(flags: Record<string, string | true>, name: string): string | undefined {
  const value = flagText(flags, name);
  if (value === undefined) return undefined;
  const day = dayOf(value);
  if (day === undefined) throw new InvalidInputError(`--${name} ${value}: expected a date YYYY-MM-DD or an ISO-8601 timestamp`);
  return day;
}

/** `--from` and `--to`, refusing a range that ends before it starts. */
function dateRangeFlags(flags: Record<string, string | true>): { from?: string; to?: string } {
  const from = dateFlag(flags, 'from');
  const to = dateFlag(flags, 'to');
  if (from && to && from > to) throw new InvalidInputError(`--from ${from} is after --to ${to}`);
  return { from, to };
}

function oneOfFlag<T extends string>(flags: Record<string, string | true>, name: string, accepted: readonly T[]): T | undefined {
  const value = flagText(flags, name);
  if (value !== undefined && !(accepted as readonly string[]).includes(value)) {
    throw new InvalidInputError(`--${name} ${value}: expected one of ${accepted.join(', ')}`);
  }
  return value as T | undefined;
}

/** `--archive ID`, if given, as a number; a bad one is a usage error. */
function archiveIdFlag(flags: Record<string, string | true>): number | undefined {
  const value = flagText(flags, 'archive');
  if (value === undefined) return undefined;
  if (!/^\d{1,18}$/.test(value)) throw new InvalidInputError(`--archive ${value}: expected an archive id`);
  return Number(value);
}
