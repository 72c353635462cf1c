/**
 * The database of the demo host and the CLI: DATABASE_URL when set; otherwise
 * an embedded PostgreSQL with its data under ./.data/postgres (kept across
 * restarts). If that cluster is already running (the API is up while the CLI
 * is used), it is shared rather than started twice.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { isAlive, PASSWORD, startEmbeddedPostgres } from './embedded-postgres';

export const DEMO_DATABASE = 'archival_demo';
export const DEFAULT_DEMO_PG_PORT = 54329;

export interface DemoDatabase {
  url: string;
  embedded: boolean;
  /** Where the embedded cluster keeps its data (undefined with DATABASE_URL). */
  dataDir?: string;
  stop(): Promise<void>;
}

export async function openDemoDatabase(env: NodeJS.ProcessEnv): Promise<DemoDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: false, stop: async () => undefined };
  const dataDir = postgresDataDir(resolve(env.ARCHIVAL_DEMO_DATA_DIR ?? '.data'));
  const port = Number(env.ARCHIVAL_DEMO_PG_PORT ?? DEFAULT_DEMO_PG_PORT);
  const running = runningPort(dataDir);
  if (running) return { url: urlFor(running, DEMO_DATABASE), embedded: true, dataDir, stop: async () => undefined };
  const server = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  await createDatabaseIfMissing(server.url, DEMO_DATABASE);
  return { url: urlFor(port, DEMO_DATABASE), embedded: true, dataDir, stop: () => server.stop() };
}

function urlFor(port: number, database: string) {
  return `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** The port of a live cluster on this data directory, from its postmaster.pid. */
function runningPort(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  return isAlive(Number(lines[0])) ? Number(lines[3]) : undefined;
}

async function createDatabaseIfMissing(adminUrl: string, name: string) {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach
 * its data directory. If a parent of ./.data is closed to others (a checkout
 * under /root, say), the cluster lives under the system temp dir instead.
 */
function postgresDataDir(base: string): string {
  const preferred = join(base, 'postgres');
  if (process.getuid?.() !== 0 || traversableByOthers(dirname(preferred))) return preferred;
  const id = createHash('sha256').update(preferred).digest('hex').slice(0, 12);
  return join(tmpdir(), `nest-archival-demo-${id}`, 'postgres');
}

function traversableByOthers(path: string): boolean {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      // not created yet: its parent decides
    }
    if (dirname(dir) === dir) return true;
  }
}
