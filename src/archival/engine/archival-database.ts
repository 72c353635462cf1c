/**
 * The engine's own small connection pool to the host's database. Its sessions
 * have fixed settings (UTC, hex bytea, shortest-exact floats, ISO dates) so
 * archives are byte-for-byte reproducible, and the host's pool never inherits
 * them. Connection details come from the host's TypeORM DataSource.
 */
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';

const SESSION_SETTINGS = [
  'TimeZone=UTC',
  'DateStyle=ISO,MDY',
  'IntervalStyle=postgres',
  'bytea_output=hex',
  'extra_float_digits=1',
  'application_name=nest-archival',
];

interface PostgresOptionsLike {
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string | (() => string | Promise<string>);
  database?: string;
  ssl?: unknown;
}

@Injectable()
export class ArchivalDatabase implements OnApplicationShutdown {
  readonly pool: Pool;

  constructor(dataSource: DataSource) {
    const o = dataSource.options as PostgresOptionsLike;
    this.pool = new Pool({
      ...(o.url ? { connectionString: o.url } : {}),
      host: o.host,
      port: o.port,
      user: o.username,
      password: o.password as string | undefined,
      database: o.database,
      ssl: o.ssl as boolean | undefined,
      max: 4,
      options: SESSION_SETTINGS.map((s) => `-c ${s.replace(/ /g, '\\ ')}`).join(' '),
    });
    // An idle client that dies (server restart, pg_terminate_backend) must not crash the host.
    this.pool.on('error', () => undefined);
  }

  async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
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

  /** Last shutdown phase: running jobs have stopped by now (ArchivalService.onModuleDestroy). */
  async onApplicationShutdown() {
    await this.pool.end();
  }
}
