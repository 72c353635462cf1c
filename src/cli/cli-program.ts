/**
 * The `archival` command line, on commander: every command with its
 * arguments, options and help (`archival <command> --help`). Parsing only:
 * an unknown command or flag, a missing or malformed value, an extra argument
 * is refused here, before any module is loaded or database opened, so a typo
 * such as `--dryrun` never starts a real run.
 */
import { Command, Option } from 'commander';
import { InvalidInputError } from '../archival/archival.errors';
import { ARCHIVE_STATUSES, RUN_STATUSES } from '../archival/catalog/statuses';
import { CONFLICT_STRATEGIES } from '../archival/restore/restore.service';
import { CliIo, CommandName, CommandOptions } from './cli-commands';
import { archiveId, assertDateRange, day, oneOf, text, wholeNumberFrom1 } from './cli-values';
import { ModuleSpec, parseModuleSpec } from './host-module';

export interface CliRequest {
  command: CommandName;
  args: string[];
  options: CommandOptions;
  json: boolean;
  module?: ModuleSpec;
}

const ENVIRONMENT = `
Reads the environment and .env (see docs/configuration.md). With --module (or
ARCHIVAL_CLI_MODULE) it runs in your application's module: its DataSource, its
ArchivalModule options and tables, with the archival schedules off. Without it,
the demo host: DATABASE_URL, or the demo's embedded PostgreSQL under ./.data.
Exit codes: 0 done, 1 the work failed, 2 bad usage (nothing ran).`;

/** Parses argv; throws CommanderError (help shown, or bad usage already printed) or InvalidInputError (a bad value). */
export function parseCommandLine(argv: string[], io: CliIo): CliRequest {
  let request: CliRequest | undefined;
  const program = new Command('archival')
    .description("Operate the archival module's jobs, archives and catalog.")
    .usage('[--module <file>#<Export>] [--json] <command> [options]')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t.replace(/\n$/, '')), writeErr: (t) => io.err(t.replace(/\n$/, '')) })
    .configureHelp({ showGlobalOptions: true })
    // Counted below, so the message can name the extra argument.
    .allowExcessArguments()
    .showHelpAfterError('(see `archival --help`)')
    .option('--json', 'machine-readable output')
    .addOption(new Option('--module <file#Export>', "run in your application's module, e.g. dist/app.module.js#AppModule (env: ARCHIVAL_CLI_MODULE)")
      .argParser((value) => parseModuleSpec(value)))
    .addHelpText('after', ENVIRONMENT);

  const command = (name: CommandName, description: string) =>
    program.command(name).description(description).showHelpAfterError(`(see \`archival ${name} --help\`)`).action((...params: unknown[]) => {
      const parsed = params.at(-1) as Command;
      const args = parsed.args;
      const expected = parsed.registeredArguments.length;
      if (args.length > expected) {
        throw new InvalidInputError(`${name} takes ${expected || 'no'} argument(s), got ${JSON.stringify(args.join(' '))}`);
      }
      const options = parsed.opts<CommandOptions>();
      assertDateRange(options);
      const global = program.opts<{ json?: boolean; module?: ModuleSpec }>();
      request = { command: name, args, options, json: global.json === true, module: global.module };
    });
  const from = () => new Option('--from <date>', 'from this day (YYYY-MM-DD or an ISO-8601 timestamp)').argParser(day('from'));
  const to = () => new Option('--to <date>', 'up to this day').argParser(day('to'));
  const table = () => new Option('--table <table>', 'only this table').argParser(text('table'));
  const archive = () => new Option('--archive <id>', 'only this archive (its id in `archival archives`)').argParser(archiveId);

  command('jobs', 'list jobs with their schedule, retention and last run');
  command('run', 'run a job now: archive, verify, purge')
    .argument('<job>', 'the job, as `archival jobs` lists it')
    .option('--dry-run', 'report what would be archived, month by month; write and delete nothing');
  command('archives', 'list archives from the catalog')
    .addOption(table())
    .addOption(new Option('--status <status>', `only archives in this status: ${ARCHIVE_STATUSES.join(', ')}`).argParser(oneOf('status', ARCHIVE_STATUSES)))
    .addOption(from())
    .addOption(to());
  command('runs', 'list recent runs (jobs and restores)')
    .addOption(new Option('--job <job>', 'only runs of this job').argParser(text('job')))
    .addOption(new Option('--status <status>', `only runs in this status: ${RUN_STATUSES.join(', ')}`).argParser(oneOf('status', RUN_STATUSES)))
    .addOption(new Option('--limit <n>', 'at most this many, newest first (default: 50)').argParser(wholeNumberFrom1('limit')));
  command('verify', 're-read archives and check checksums, rows, keys, manifests, the hash chain and (for a full verify) orphans both ways; exit 1 on any problem')
    .addOption(archive())
    .addOption(table())
    .addOption(from())
    .addOption(to());
  command('restore', 'put archived rows back (children with their parents): --archive ID, or --table T [--from D] [--to D]')
    .addOption(archive())
    .addOption(table())
    .addOption(from())
    .addOption(to())
    .addOption(new Option('--conflict <strategy>', `when a row is already there: ${CONFLICT_STRATEGIES.join(', ')} (default: skip)`).argParser(oneOf('conflict', CONFLICT_STRATEGIES)))
    .option('--dry-run', 'report what would be restored; write nothing')
    .option('--ignore-watermark', 'restore archives that were restored before, too');
  command('export', "one entity's full history (hot and archived rows, children included) as JSON Lines")
    .argument('<job>', 'the job whose table holds it, e.g. session-archival')
    .argument('<id>', "the entity's key, e.g. a session id");
  command('lake', "print SQL to query a table's live archives in place: a DuckDB view and an Athena/Glue CREATE EXTERNAL TABLE")
    .argument('<table>', 'the archived table, e.g. flow_execution_logs or audit.events');
  command('migrate', 'create or update the catalog tables (without --module, the demo tables too)');

  program.parse(argv, { from: 'user' });
  if (!request) throw new InvalidInputError('no command given; see `archival --help`');
  return request;
}
