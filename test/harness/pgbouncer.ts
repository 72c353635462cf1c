/**
 * A real PgBouncer in front of the test PostgreSQL, for one test file: a
 * free port, a temp config directory, a userlist with the server's password
 * (pgbouncer logs in to the server with it), one pool mode. Every database of
 * the server is reachable under its own name. PgBouncer refuses to run as
 * root, so as root it drops to the `postgres` user (`-u`), the embedded
 * server's. Not installed: it fails saying how to install it (never skipped).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Client } from 'pg';
import { withDatabase } from './database';
import { freePort } from './free-port';
import { until } from './poll';

export type PoolMode = 'session' | 'transaction';

export interface PgBouncer {
  port: number;
  /** The URL of `database` through PgBouncer, with the test server's user and password. */
  url(database: string): string;
  /** SHOW CLIENTS on PgBouncer's admin console: who is connected through it now. */
  clients(): Promise<Array<{ database: string; application_name: string }>>;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'pgbouncer is not installed; install it (Debian/Ubuntu: apt-get update && apt-get install -y pgbouncer): the PgBouncer tests need a real one';

export async function startPgBouncer(poolMode: PoolMode): Promise<PgBouncer> {
  const binary = findPgBouncer();
  const server = new URL(process.env.ARCHIVAL_TEST_ADMIN_URL ?? '');
  const user = decodeURIComponent(server.username);
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'archival-pgbouncer-'));
  // As root, pgbouncer runs as `postgres` and may re-read its files: the (throwaway) config must be readable to it.
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'userlist.txt'), `"${user}" "${decodeURIComponent(server.password)}"\n`);
  await writeFile(join(dir, 'pgbouncer.ini'), config({ dir, port, poolMode, user, server }));
  const log: string[] = [];
  const child = spawn(binary, [...(process.getuid?.() === 0 ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = (database: string) => withDatabase(`postgres://${server.username}:${server.password}@127.0.0.1:${port}/`, database);
  const bouncer: PgBouncer = {
    port,
    url,
    clients: () => adminQuery(url('pgbouncer'), 'SHOW CLIENTS'),
    async stop() {
      await stopProcess(child, exited);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await until(() => reachable(url('postgres'), child), (up) => up, `pgbouncer on port ${port}`, 10_000);
  } catch (error) {
    await bouncer.stop();
    throw new Error(`pgbouncer did not start: ${(error as Error).message}\n${log.join('')}`);
  }
  return bouncer;
}

function config({ dir, port, poolMode, user, server }: { dir: string; port: number; poolMode: PoolMode; user: string; server: URL }) {
  return `[databases]
* = host=${server.hostname} port=${server.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = ${join(dir, 'userlist.txt')}
admin_users = ${user}
pool_mode = ${poolMode}
max_client_conn = 200
default_pool_size = 20
`;
}

function findPgBouncer(): string {
  // Debian installs it in /usr/sbin, which a non-root PATH may lack.
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, 'pgbouncer'), constants.X_OK);
      return join(dir, 'pgbouncer');
    } catch {
      // not in this directory
    }
  }
  throw new Error(INSTALL_HINT);
}

async function reachable(url: string, child: ChildProcess): Promise<boolean> {
  if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function adminQuery<T>(url: string, command: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(command)).rows as T[];
  } finally {
    await client.end();
  }
}

/** SIGTERM is PgBouncer's immediate shutdown; it never needs more, but a stuck one is killed. */
async function stopProcess(child: ChildProcess, exited: Promise<void>) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
