/** Debian's promtool (the prometheus package, which .ci/run installs) run in `cwd`; a failure carries its output. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export async function promtool(cwd: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await promisify(execFile)('promtool', args, { cwd });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') throw new Error('promtool not found: `apt-get install prometheus` (as .ci/run does)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? failure.message}`);
  }
}
