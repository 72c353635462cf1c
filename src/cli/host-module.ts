/**
 * `--module <file>#<Export>` (or ARCHIVAL_CLI_MODULE): the host's own
 * application module, so that a command runs in the host's context (its
 * DataSource, its ArchivalModule options, its declared tables). <file> is a
 * compiled CommonJS file, relative to the working directory; <Export> is a
 * @Module() class or a DynamicModule object (AppModule.forRoot(...)) it
 * exports, AppModule when omitted. Every way it can be wrong is bad usage.
 */
import { DynamicModule, Type } from '@nestjs/common';
import { resolve } from 'node:path';
import { InvalidInputError } from '../archival/archival.errors';

export interface ModuleSpec {
  /** As the operator wrote it, with where it came from: `--module x.js#M` or `ARCHIVAL_CLI_MODULE=x.js#M`. */
  source: string;
  file: string;
  exportName: string;
}

export interface HostModule {
  spec: ModuleSpec;
  module: Type | DynamicModule;
}

const EXPORT_NAME = /^[A-Za-z_$][\w$]*$/;

/** `<file>[#<Export>]`, checked for its shape only; `label` is `--module` or `ARCHIVAL_CLI_MODULE=`. */
export function parseModuleSpec(value: string, label = '--module '): ModuleSpec {
  const source = `${label}${value}`;
  const hash = value.lastIndexOf('#');
  const file = hash === -1 ? value : value.slice(0, hash);
  const exportName = hash === -1 ? 'AppModule' : value.slice(hash + 1);
  if (file === '' || file.startsWith('--')) throw new InvalidInputError(`${source}: expected <compiled file>#<Export>, e.g. dist/app.module.js#AppModule`);
  if (!EXPORT_NAME.test(exportName)) throw new InvalidInputError(`${source}: "${exportName}" is not an export name`);
  return { source, file, exportName };
}

/** Requires the file and picks the export; the demo host is never loaded on this path. */
export function loadHostModule(spec: ModuleSpec, cwd = process.cwd()): HostModule {
  const path = resolve(cwd, spec.file);
  let resolved: string;
  try {
    resolved = require.resolve(path);
  } catch {
    throw new InvalidInputError(`${spec.source}: no such file ${path}`);
  }
  let exports: Record<string, unknown>;
  try {
    exports = require(resolved) as Record<string, unknown>;
  } catch (error) {
    const { name, message } = error as Error;
    throw new InvalidInputError(`${spec.source}: ${resolved} failed to load (is it the compiled JavaScript?): ${name}: ${message.split('\n')[0]}`);
  }
  if (!(spec.exportName in exports)) {
    const names = Object.keys(exports).filter((name) => name !== '__esModule');
    throw new InvalidInputError(`${spec.source}: ${resolved} has no export "${spec.exportName}" (it exports: ${names.join(', ') || 'nothing'})`);
  }
  const module = exports[spec.exportName];
  if (!isModule(module)) {
    throw new InvalidInputError(`${spec.source}: "${spec.exportName}" is not a Nest module (a @Module() class or a DynamicModule object), it is ${describe(module)}`);
  }
  return { spec, module };
}

function isModule(value: unknown): value is Type | DynamicModule {
  if (typeof value === 'function') return /^class[\s{]/.test(Function.prototype.toString.call(value));
  return typeof value === 'object' && value !== null && typeof (value as DynamicModule).module === 'function';
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  return value === null ? 'null' : `a ${typeof value}`;
}
