/**
 * A real primary with a real streaming standby, for one test file: Debian's
 * PostgreSQL 15 (`initdb`, `pg_basebackup -R`, `pg_ctl`), two free ports, one
 * temp directory, removed at the end. PostgreSQL refuses to run as root: as
 * root the clusters run as the `postgres` user. Not installed: it fails
 * saying how to install it (never skipped).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/demo/data-source-options';
import { freePort } from './free-port';
import { until } from './poll';

const run = promisify(execFile);
const BIN = process.env.ARCHIVAL_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const USER = 'archival';
const INSTALL_HINT = `PostgreSQL 15's server tools are not in ${BIN}; install them (Debian/Ubuntu: apt-get update && apt-get install -y postgresql-15): the replica test needs pg_basebackup and a real standby`;

export interface StreamingReplica {
  /** A URL of `database` on the primary (trust auth on loopback). */
  primaryUrl(database: string): string;
  /** A query on the standby, in its `postgres` database. */
  onStandby(sql: string): Promise<unknown[]>;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** A database on the primary with the demo host's tables and the catalog; its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startStreamingReplica(): Promise<StreamingReplica> {
  for (const tool of ['initdb', 'pg_ctl', 'pg_basebackup']) {
    try {
      accessSync(join(BIN, tool), constants.X_OK);
    } catch {
      throw new Error(INSTALL_HINT);
    }
  }
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'archival-replica-'));
  if (asRoot) await chown(dir, ...(await postgresIds()));
  const primary = { data: join(dir, 'primary'), port: await freePort() };
  const standby = { data: join(dir, 'standby'), port: await freePort() };
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]) : run(join(BIN, tool), args);
  const serverOptions = (port: number) => `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c wal_level=replica -c max_wal_senders=4`;
  const started: string[] = [];
  const stop = async () => {
    for (const data of started.reverse()) await pg('pg_ctl', ['-D', data, 'stop', '-m', 'immediate', '-w']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await pg('initdb', ['-D', primary.data, '-A', 'trust', '-U', USER, '--no-sync']);
    await pg('pg_ctl', ['-D', primary.data, '-o', serverOptions(primary.port), '-l', join(dir, 'primary.log'), '-w', 'start']);
    started.push(primary.data);
    await pg('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', USER, '-D', standby.data, '-R', '-X', 'stream', '--no-sync']);
    await pg('pg_ctl', ['-D', standby.data, '-o', serverOptions(standby.port), '-l', join(dir, 'standby.log'), '-w', 'start']);
    started.push(standby.data);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = (port: number, database: string) => `postgres://${USER}@127.0.0.1:${port}/${database}`;
  const query = async (port: number, database: string, sql: string) => {
    const client = new Client({ connectionString: url(port, database) });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const replica: StreamingReplica = {
    primaryUrl: (database) => url(primary.port, database),
    onStandby: (sql) => query(standby.port, 'postgres', sql),
    pauseReplay: async () => {
      await query(standby.port, 'postgres', 'SELECT pg_wal_replay_pause()');
      await until(() => query(standby.port, 'postgres', 'SELECT pg_get_wal_replay_pause_state() AS s'), (rows) => (rows[0] as { s: string }).s === 'paused', 'standby replay paused');
    },
    resumeReplay: async () => {
      await query(standby.port, 'postgres', 'SELECT pg_wal_replay_resume()');
    },
    createDatabase: async (name) => {
      await query(primary.port, 'postgres', `CREATE DATABASE ${name}`);
      const dataSource = new DataSource(dataSourceOptions(url(primary.port, name)));
      await dataSource.initialize();
      await dataSource.destroy();
      return url(primary.port, name);
    },
    stop,
  };
  await until(() => query(primary.port, 'postgres', `SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'`), (rows) => (rows[0] as { n: number }).n === 1, 'the standby streaming');
  return replica;
}

async function postgresIds(): Promise<[number, number]> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return [Number(uid), Number(gid)];
}
