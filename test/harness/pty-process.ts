/** Runs the real `archival` command on a pseudo-terminal (util-linux `script`), as an operator's shell would. */
import { cliCommand, cliEnv, ROOT, spawnProcess } from './cli-process';

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** `archival <args>` with stdout and stderr on one terminal; resolves with everything the terminal received. */
export async function runCliOnTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const terminal = spawnProcess('script', ['-qfec', cliCommand(args).map(quote).join(' '), '/dev/null'], { cwd: ROOT, env: cliEnv({ TERM: 'dumb', ...env }) });
  const { code } = await terminal.exited;
  return { code, output: terminal.output() };
}
