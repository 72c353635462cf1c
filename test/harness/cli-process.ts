/**
 * Child processes of the tests, spawned one way: the real `archival` command
 * from the TypeScript sources (no build needed), its transpiled build
 * (compiled-cli.ts), on a terminal (pty-process.ts), or any other program
 * (package-host.ts), each collecting stdout and stderr as they come.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr as they come, interleaved. */
  output(): string;
  /** Settles when the process has exited and its output is closed; rejects if it could not be started. */
  exited: Promise<Exited>;
}

/** What every CLI child gets: PATH, NODE_ENV=test and the suite's clock (ARCHIVAL_TEST_NOW), unless `env` says otherwise. */
export function cliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, NODE_ENV: 'test', ARCHIVAL_TEST_NOW: process.env.ARCHIVAL_TEST_NOW, ...env };
}

/** node with the sources' TypeScript loader, running `script` (the CLI by default) with `args`. */
export function cliCommand(args: string[], script = 'src/cli.ts'): string[] {
  return [process.execPath, '-r', join(ROOT, 'test/harness/ts-register.js'), join(ROOT, script), ...args];
}

/** Spawns `command` with `args` in `cwd` and exactly `env`, collecting what it prints. */
export function spawnProcess(command: string, args: string[], { cwd, env }: { cwd: string; env: NodeJS.ProcessEnv }): CliProcess {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout!.on('data', (d) => { stdout += d; output += d; });
  child.stderr!.on('data', (d) => { stderr += d; output += d; });
  const exited = new Promise<Exited>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, output: () => output, exited };
}

/** `archival <args>` (or another script of the sources) with cliEnv(env). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, script = 'src/cli.ts'): CliProcess {
  const [node, ...nodeArgs] = cliCommand(args, script);
  return spawnProcess(node, nodeArgs, { cwd: ROOT, env: cliEnv(env) });
}

/** Runs `archival <args>` to its end. */
export function runCliProcess(args: string[], env: NodeJS.ProcessEnv, script?: string) {
  return spawnCli(args, env, script).exited;
}
