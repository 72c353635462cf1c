/**
 * Starts a worker thread on one of this package's modules, built or not: from
 * the build (`.js`) it runs the file as it is; from the TypeScript sources
 * (tests, `ts-node`) the thread first registers a loader that transpiles each
 * `.ts` file it requires (TypeScript's transpileModule, no type checks), as
 * the test harness does for child processes, unless one is registered already.
 */
import { Worker, WorkerOptions } from 'node:worker_threads';

const FROM_SOURCES = `
const { readFileSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
if (!require.extensions['.ts']) {
  const ts = require(require.resolve('typescript', { paths: [workerData.entry] }));
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true, emitDecoratorMetadata: true, esModuleInterop: true,
  };
  require.extensions['.ts'] = (module, filename) =>
    module._compile(ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename }).outputText, filename);
}
require(workerData.entry);
`;

/** `entry`: the module's absolute path without its extension (`join(__dirname, 'name')`). */
export function startWorker(entry: string, options: Omit<WorkerOptions, 'eval' | 'workerData'> = {}): Worker {
  if (__filename.endsWith('.js')) return new Worker(`${entry}.js`, options);
  return new Worker(FROM_SOURCES, { ...options, eval: true, workerData: { entry: `${entry}.ts` } });
}
