import { APPLICATION_NAME, modulePoolConfig } from './pool-config';

describe('the module pool config', () => {
  it('takes the host credentials, ssl and connect timeout as TypeORM gives them to pg', () => {
    const ssl = { rejectUnauthorized: true, ca: 'PEM' };
    const config = modulePoolConfig({
      host: { host: 'db', port: 6432, username: 'app', password: 'pw', database: 'api', ssl, connectTimeoutMS: 5000 },
      max: 4,
    });
    expect(config).toEqual({
      host: 'db', port: 6432, user: 'app', password: 'pw', database: 'api', ssl, connectionTimeoutMillis: 5000,
      max: 4, application_name: APPLICATION_NAME,
    });
  });

  it('merges extra over the credentials, as TypeORM does: pool settings, keepAlive, an ssl object', () => {
    const stream = () => undefined;
    const config = modulePoolConfig({
      host: {
        url: 'postgres://app@db/api', ssl: true,
        extra: { ssl: { servername: 'db.internal' }, keepAlive: true, idleTimeoutMillis: 1000, stream, options: '-c search_path=app' },
      },
      max: 4,
    });
    expect(config).toMatchObject({
      connectionString: 'postgres://app@db/api', ssl: { servername: 'db.internal' }, keepAlive: true, idleTimeoutMillis: 1000,
      stream, options: '-c search_path=app',
    });
  });

  it('keeps its own pool size, name, type parsers and timeouts whatever extra says', () => {
    const config = modulePoolConfig({
      host: {
        url: 'postgres://db/api',
        extra: {
          max: 50, application_name: 'api', types: { getTypeParser: () => String }, query_timeout: 2000,
          statement_timeout: 2000, lock_timeout: 100, idle_in_transaction_session_timeout: 1000,
        },
      },
      max: 4,
    });
    expect(config).toEqual({ connectionString: 'postgres://db/api', max: 4, application_name: APPLICATION_NAME });
  });

  it('connects to the replication master when replication is set, not to the top-level or a slave', () => {
    const config = modulePoolConfig({
      host: {
        host: 'ignored',
        replication: {
          master: { host: 'primary', port: 5433, username: 'app', password: 'pw', database: 'api', ssl: true },
          slaves: [{ host: 'replica', port: 5434, username: 'reader', password: 'pw2', database: 'api' }],
        },
        extra: { keepAlive: true },
      },
      max: 4,
    });
    expect(config).toEqual({
      host: 'primary', port: 5433, user: 'app', password: 'pw', database: 'api', ssl: true, keepAlive: true,
      max: 4, application_name: APPLICATION_NAME,
    });
  });

  it('connects by the master URL under replication', () => {
    const config = modulePoolConfig({ host: { replication: { master: { url: 'postgres://primary/api' } } }, max: 4 });
    expect(config).toEqual({ connectionString: 'postgres://primary/api', max: 4, application_name: APPLICATION_NAME });
  });

  it('connects by the host URL', () => {
    expect(modulePoolConfig({ host: { url: 'postgres://app:pw@db:5432/api' }, max: 2 })).toEqual({
      connectionString: 'postgres://app:pw@db:5432/api', max: 2, application_name: APPLICATION_NAME,
    });
  });

  it('passes a password function through for pg to call at each connect', async () => {
    const password = async () => 'token';
    const config = modulePoolConfig({ host: { host: 'db', username: 'app', password }, max: 4 });
    expect(config.password).toBe(password);
    await expect((config.password as () => Promise<string>)()).resolves.toBe('token');
  });

  it('connects to the module URL alone when one is set, taking nothing from the host', () => {
    const config = modulePoolConfig({
      host: { host: 'pgbouncer', port: 6432, password: 'pw', ssl: true, extra: { keepAlive: true } },
      databaseUrl: 'postgres://archival:secret@db:5432/api?sslmode=require',
      max: 4,
    });
    expect(config).toEqual({
      connectionString: 'postgres://archival:secret@db:5432/api?sslmode=require', max: 4, application_name: APPLICATION_NAME,
    });
  });
});
