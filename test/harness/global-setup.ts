/**
 * Starts one throwaway PostgreSQL for the whole test run (unless DATABASE_URL
 * points at one); each test file then creates its own database in it.
 * Clusters left by a killed earlier run are stopped and removed first.
 */
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, startEmbeddedPostgres, stopStaleServer } from '../../src/demo/embedded-postgres';
import { testNow } from './clock';
import { freePort } from './free-port';

const PREFIX = 'nest-archival-test-pg-';

export default async function globalSetup() {
  // One instant for the whole run: the test files' clock and every CLI process they spawn (see clock.ts).
  process.env.ARCHIVAL_TEST_NOW = testNow().toISOString();
  if (process.env.DATABASE_URL) {
    process.env.ARCHIVAL_TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  await removeStaleClusters();
  const port = await freePort();
  const dataDir = join(tmpdir(), `${PREFIX}${process.pid}-${port}`);
  const server = await startEmbeddedPostgres({
    dataDir,
    port,
    persistent: false,
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
  });
  (globalThis as Record<string, unknown>).__archivalPostgres = server;
  process.env.ARCHIVAL_TEST_ADMIN_URL = server.url;
}

async function removeStaleClusters() {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const owner = Number(name.slice(PREFIX.length).split('-')[0]);
    if (isAlive(owner)) continue;
    const dir = join(tmpdir(), name);
    await stopStaleServer(dir);
    await rm(dir, { recursive: true, force: true });
  }
}
