/**
 * The pg pool config of the module's own connection. By default it is what
 * TypeORM's PostgresDriver.createPool gives pg for the host's DataSource
 * (TypeORM 0.3 and 1.x alike): credentials from `replication.master` when
 * replication is set, else the top level; `ssl`, `connectTimeoutMS`, and
 * `extra` merged over them (pool settings, ssl objects, keepAlive, a socket
 * factory...). A direct URL given to the module replaces all of that.
 *
 * On top, the module keeps what makes its sessions its own: a small pool, its
 * application name, pg's default type parsers (the engine reads dates, counts
 * and keys as pg parses them by default), and its timeouts, which it SETs
 * after connecting (archival-database.ts): `extra` cannot shorten a COPY.
 */
import { PoolConfig } from 'pg';

export const APPLICATION_NAME = 'nest-archival';

/** Keys of `extra` the module sets itself (or SETs per session) and so never takes from the host. */
export const MODULE_OWNED_KEYS = [
  'max', 'application_name', 'types', 'query_timeout', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout',
] as const;

type Password = string | (() => string | Promise<string>);

/** TypeORM's PostgresConnectionCredentialsOptions, as far as the pool needs them. */
export interface PostgresCredentialsLike {
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: Password;
  database?: string;
  ssl?: PoolConfig['ssl'];
}

/** The connection part of TypeORM's PostgresConnectionOptions. */
export interface PostgresOptionsLike extends PostgresCredentialsLike {
  /** The slaves serve the host's reads; the module reads and deletes on the master. */
  replication?: { master: PostgresCredentialsLike; slaves?: PostgresCredentialsLike[] };
  connectTimeoutMS?: number;
  extra?: Record<string, unknown>;
}

export interface ModuleConnection {
  /** The host DataSource's options. */
  host: PostgresOptionsLike;
  /** The module's own URL (ARCHIVAL_DATABASE_URL): when set, the host's connection options are not used. */
  databaseUrl?: string;
  /** The module's pool size. */
  max: number;
}

export function modulePoolConfig({ host, databaseUrl, max }: ModuleConnection): PoolConfig {
  const connection: PoolConfig = databaseUrl === undefined ? hostPoolConfig(host) : { connectionString: databaseUrl };
  const kept = Object.entries(connection).filter(
    ([key, value]) => value !== undefined && !(MODULE_OWNED_KEYS as readonly string[]).includes(key),
  );
  return { ...Object.fromEntries(kept), max, application_name: APPLICATION_NAME };
}

/** Mirrors PostgresDriver.createPool: the credentials, then `extra` over them (so `extra` wins, as it does for the host). */
function hostPoolConfig(options: PostgresOptionsLike): PoolConfig {
  const credentials = options.replication ? options.replication.master : options;
  return {
    connectionString: credentials.url,
    host: credentials.host,
    port: credentials.port,
    user: credentials.username,
    password: credentials.password,
    database: credentials.database,
    ssl: credentials.ssl,
    connectionTimeoutMillis: options.connectTimeoutMS,
    ...(options.extra ?? {}),
  };
}
