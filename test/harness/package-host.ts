/**
 * The package as a stranger installs it: `npm pack` of the repository (its
 * prepack builds), then a host project from test/fixtures/ in a temp
 * directory that depends on the tarball by path, installed from the npm
 * registry, transpiled and started as its own process.
 */
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ts from 'typescript';
import { ROOT, spawnProcess } from './cli-process';
import { until } from './poll';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compilerOptions } = require('./transpile-options') as { compilerOptions: ts.CompilerOptions };

const FIXTURES = join(ROOT, 'test', 'fixtures');
/** Where a host's package.json finds the package ("file:../nest-archival.tgz"). */
const TARBALL = 'nest-archival.tgz';

export interface Exec { code: number | null; stdout: string; stderr: string }

/** A child's environment without the npm_* variables of the `npm test` that runs jest. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')));
  return { ...env, NODE_ENV: 'production', ...extra };
}

export function exec(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Exec> {
  return spawnProcess(command, args, { cwd, env: cleanEnv(env) }).exited;
}

async function mustExec(command: string, args: string[], cwd: string): Promise<Exec> {
  const result = await exec(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd} exited ${result.code}:\n${result.stderr.slice(-4000)}`);
  return result;
}

/** `npm pack` of the repository into `work` (its prepack builds dist/), as work/nest-archival.tgz. */
export async function packRepository(work: string): Promise<string> {
  await mustExec('npm', ['pack', '--pack-destination', work], ROOT);
  const [packed] = (await readdir(work)).filter((name) => name.startsWith('nest-archival-') && name.endsWith('.tgz'));
  if (!packed) throw new Error(`npm pack left no nest-archival-*.tgz in ${work}`);
  await rename(join(work, packed), join(work, TARBALL));
  return join(work, TARBALL);
}

/** Copies fixture `name` (its package.json and the shared host source) into work/name, installs and transpiles it. */
export async function installHost(work: string, name: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(join(dir, 'dist'), { recursive: true });
  await copyFile(join(FIXTURES, name, 'package.json'), join(dir, 'package.json'));
  const source = join(FIXTURES, 'package-host', 'src');
  for (const file of await readdir(source)) {
    const { outputText } = ts.transpileModule(await readFile(join(source, file), 'utf8'), { compilerOptions, fileName: file });
    await writeFile(join(dir, 'dist', file.replace(/\.ts$/, '.js')), outputText);
  }
  await mustExec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], dir);
  return dir;
}

export interface RunningHost {
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the host's dist/main.js and waits until it listens. */
export async function startHost(dir: string, port: number, env: NodeJS.ProcessEnv): Promise<RunningHost> {
  const host = spawnProcess(process.execPath, ['dist/main.js'], { cwd: dir, env: cleanEnv({ ...env, PORT: String(port) }) });
  const { child, output } = host;
  const exited = host.exited.then(() => undefined, () => undefined);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await until(async () => output(), (text) => text.includes('host: listening') || child.exitCode !== null, 'the host to listen', 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  if (!output().includes('host: listening')) throw new Error(`the host exited ${child.exitCode}:\n${output()}`);
  return { port, output, stop };
}

/** Every installed copy of a package in a project's node_modules tree, by the directories that hold its package.json. */
export async function installedCopies(dir: string, name: string): Promise<string[]> {
  const { stdout } = await exec('find', ['node_modules', '-path', `*node_modules/${name}/package.json`], dir);
  return stdout.split('\n').filter((line) => line !== '');
}
