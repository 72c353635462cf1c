/** Runs the real `archival` command in its own process, from the TypeScript sources (no build needed). */
import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr as they come, interleaved. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** `archival <args>` with `env`, PATH, NODE_ENV=test and the suite's clock (ARCHIVAL_TEST_NOW) unless `env` says otherwise. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, script = 'src/cli.ts'): CliProcess {
  const child = spawn(process.execPath, ['-r', join(ROOT, 'test/harness/ts-register.js'), join(ROOT, script), ...args], {
    cwd: ROOT, env: { PATH: process.env.PATH, NODE_ENV: 'test', ARCHIVAL_TEST_NOW: process.env.ARCHIVAL_TEST_NOW, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout!.on('data', (d) => { stdout += d; output += d; });
  child.stderr!.on('data', (d) => { stderr += d; output += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, output: () => output, exited };
}

/** Runs `archival <args>` to its end. */
export function runCliProcess(args: string[], env: NodeJS.ProcessEnv, script?: string) {
  return spawnCli(args, env, script).exited;
}
