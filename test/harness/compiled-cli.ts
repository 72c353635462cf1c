/**
 * The `archival` command transpiled ahead to JavaScript, for tests that
 * measure the process itself. Run from the TypeScript sources (cli-process.ts)
 * a child also holds the TypeScript compiler: about 100 MB of RSS (211 MB
 * against 110 MB for `archival jobs`) that the product, run from its build,
 * does not have. Transpiled like ts-register.js does it, without type checks,
 * into a temp directory whose node_modules is the project's.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';
import { cliEnv, Exited, ROOT, spawnProcess } from './cli-process';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compilerOptions } = require('./transpile-options') as { compilerOptions: ts.CompilerOptions };

export interface CompiledCli {
  /** The temp directory: src/, migrations/, the extra folders, node_modules. */
  dir: string;
  /** In the project's directory unless `cwd` says otherwise. */
  run(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Exited>;
  remove(): Promise<void>;
}

/** `extra`: more folders of the project to transpile beside src/, e.g. a host's module under test/fixtures/. */
export async function compileCli(extra: string[] = []): Promise<CompiledCli> {
  const out = await mkdtemp(join(tmpdir(), 'archival-compiled-cli-'));
  for (const folder of ['src', 'migrations', ...extra]) {
    for (const file of await sources(join(ROOT, folder))) {
      const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), { compilerOptions, fileName: file });
      const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, outputText);
    }
  }
  await symlink(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  const script = join(out, 'src', 'cli.js');
  return {
    dir: out,
    run: (args, env, cwd = ROOT) => runScript(script, args, env, cwd),
    remove: () => rm(out, { recursive: true, force: true }),
  };
}

async function sources(directory: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push(path);
  }
  return files;
}

/** The build's CLI, with the same environment as spawnCli gives the sources'. */
function runScript(script: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Exited> {
  return spawnProcess(process.execPath, [script, ...args], { cwd, env: cliEnv(env) }).exited;
}
