/** Runs the real `archival` command on a pseudo-terminal (util-linux `script`), as an operator's shell would. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli-process';

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** `archival <args>` with stdout and stderr on one terminal; resolves with everything the terminal received. */
export function runCliOnTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, '-r', join(ROOT, 'test/harness/ts-register.js'), join(ROOT, 'src/cli.ts'), ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: ROOT, env: { PATH: process.env.PATH, NODE_ENV: 'test', ARCHIVAL_TEST_NOW: process.env.ARCHIVAL_TEST_NOW, TERM: 'dumb', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}
