/**
 * The engine's own small connection pool to the host's database. Its sessions
 * have fixed settings (UTC, hex bytea, shortest-exact floats, ISO dates) so
 * archives are byte-for-byte reproducible, and the host's pool never inherits
 * them. Connection details come from the host's TypeORM DataSource, as its
 * driver reads them, or from the module's own ARCHIVAL_DATABASE_URL
 * (pool-config.ts).
 *
 * The settings are applied with SET right after connecting (PgBouncer in
 * session mode refuses startup options; a transaction-mode pooler cannot hold
 * a session's settings or its advisory lock at all, so the module needs a
 * session), and they include the module's own timeouts, whatever the server
 * or database defaults say: the job's lock session idles for the whole run,
 * so idle_session_timeout is off for it; statements have no time limit (a
 * COPY streams as fast as storage accepts the part) but wait at most a minute
 * for a lock (the purge: 10 s); a transaction may idle for at most 10 minutes
 * (a paced purge rests inside its transaction between batches).
 */
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Client, Pool, PoolClient, PoolConfig } from 'pg';
import { DataSource } from 'typeorm';
import { ArchivalOptions } from '../archival-options';
import { ARCHIVAL_OPTIONS } from '../archival.constants';
import { APPLICATION_NAME, modulePoolConfig, PostgresOptionsLike } from './pool-config';
import { assertSameDatabase } from './same-database';

const SESSION_SETTINGS: Record<string, string> = {
  TimeZone: 'UTC',
  DateStyle: 'ISO, MDY',
  IntervalStyle: 'postgres',
  bytea_output: 'hex',
  extra_float_digits: '1',
  application_name: APPLICATION_NAME,
  // No statement limit: a COPY streams for as long as storage takes to accept its part; lock waits are bounded instead.
  statement_timeout: '0',
  lock_timeout: '1min',
  idle_in_transaction_session_timeout: '10min',
};
/** Settings that older servers do not know: set only where the server has them (idle_session_timeout: PostgreSQL 14+). */
const OPTIONAL_SETTINGS: Record<string, string> = { idle_session_timeout: '0' };

const SET_SESSION = [
  ...Object.entries(SESSION_SETTINGS).map(([name, value]) => `SELECT set_config('${name}', '${value}', false)`),
  `SELECT set_config(name, v.value, false) FROM pg_settings JOIN (VALUES ${Object.entries(OPTIONAL_SETTINGS)
    .map(([name, value]) => `('${name}', '${value}')`)
    .join(', ')}) AS v(setting, value) ON name = v.setting`,
].join('; ');

@Injectable()
export class ArchivalDatabase implements OnApplicationShutdown {
  readonly pool: Pool;
  private readonly config: PoolConfig;
  private readonly configured = new WeakSet<PoolClient>();
  private readonly sessions = new Set<Client>();
  /** With the module's own URL: proven once that it reaches the host's database (same-database.ts). */
  private sameDatabase?: Promise<void>;

  constructor(private readonly dataSource: DataSource, @Inject(ARCHIVAL_OPTIONS) private readonly options: ArchivalOptions) {
    this.config = modulePoolConfig({
      host: dataSource.options as PostgresOptionsLike, databaseUrl: options.databaseUrl, max: options.databasePoolSize,
    });
    this.pool = new Pool(this.config);

    // An idle client that dies (server restart, pg_terminate_backend) must not crash the host.
    this.pool.on('error', () => undefined);
  }

  /**
   * A connection of its own, outside the pool, with the module's session
   * settings: a job's lock session, held for the whole run. Taken from the
   * pool, lock sessions would starve the work they guard: as many jobs at once
   * as the pool has connections (all four built-in jobs fire at 02:00 on the
   * 1st) would each hold one and wait forever for another. The caller ends it.
   */
  async openSession(): Promise<Client> {
    const client = new Client(this.config);
    // A session that dies while idle must not crash the host; its holder listens too (the lock is lost).
    client.on('error', () => undefined);
    client.once('end', () => this.sessions.delete(client));
    this.sessions.add(client);
    try {
      await client.connect();
      await client.query(SET_SESSION);
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** A pooled client with the module's session settings (applied once per connection; a failure releases it broken). */
  private async connect(): Promise<PoolClient> {
    const client = await this.pool.connect();
    if (this.configured.has(client)) return client;
    // Checked out, a client has no listener of the pool's: a connection terminated while its settings
    // are applied must fail this query, not crash the host with an unheard 'error' event.
    const onError = () => undefined;
    client.on('error', onError);
    try {
      await client.query(SET_SESSION);
      await this.assertHostDatabase(client);
    } catch (error) {
      client.release(error as Error);
      throw error;
    } finally {
      client.off('error', onError);
    }
    this.configured.add(client);
    return client;
  }

  /** Checked on the first connection; a failed check is retried on the next one. */
  private assertHostDatabase(client: PoolClient): Promise<void> {
    if (this.options.databaseUrl === undefined) return Promise.resolve();
    this.sameDatabase ??= assertSameDatabase(
      async (sql) => (await client.query(sql)).rows,
      (sql) => this.dataSource.query(sql),
    ).catch((error: Error) => {
      this.sameDatabase = undefined;
      throw error;
    });
    return this.sameDatabase;
  }

  async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    // A connection that dies while checked out (pg_terminate_backend, failover) emits 'error' on the
    // client; unheard, that would crash the host. The running query fails with it anyway.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      // A client that failed mid-COPY or mid-transaction is discarded, not reused.
      client.off('error', onError);
      client.release(broken);
    }
  }

  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Last shutdown phase: running jobs have stopped by now (JobRunner.onModuleDestroy). */
  async onApplicationShutdown() {
    await Promise.all([...this.sessions].map((session) => session.end().catch(() => undefined)));
    await this.pool.end();
  }
}
