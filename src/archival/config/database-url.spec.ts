import { problemsOf } from '../../../test/harness/configuration-problems';
import { archivalOptionsFromEnv } from './archival-env';
import { resolveArchivalOptions } from './resolve-options';

const SECRET = 's3cr3t-Pa55';
const problemsFor = (url: string) => problemsOf(() => archivalOptionsFromEnv({ ARCHIVAL_DATABASE_URL: url }));

describe('ARCHIVAL_DATABASE_URL', () => {
  it('is unset by default, and blank is unset', () => {
    expect(archivalOptionsFromEnv({}).databaseUrl).toBeUndefined();
    expect(archivalOptionsFromEnv({ ARCHIVAL_DATABASE_URL: '  ' }).databaseUrl).toBeUndefined();
  });

  it('takes postgres:// and postgresql:// URLs, with query parameters or a socket directory', () => {
    for (const url of [
      `postgres://archival:${SECRET}@db:5432/app`,
      `postgresql://archival:${SECRET}@db.internal/app?sslmode=require&sslrootcert=/etc/ssl/ca.pem`,
      'postgres://archival@/app?host=/var/run/postgresql',
      'postgres://archival:p%zz@[::1]:6432/app',
    ]) {
      expect(archivalOptionsFromEnv({ ARCHIVAL_DATABASE_URL: url }).databaseUrl).toBe(url);
    }
  });

  it.each([
    ['not a PostgreSQL URL', `archival:${SECRET}@db:5432/app`],
    ['not a URL', 'the db on port 5432'],
    ['not a URL', `postgres://archival:${SECRET}@db:99999/app`],
    ['not a PostgreSQL URL (it must start with postgres:// or postgresql://)', `mysql://archival:${SECRET}@db/app`],
    ['names no host', `postgres:///app`],
    ['names no database', `postgres://archival:${SECRET}@db:5432`],
    ['names no database', `postgres://archival:${SECRET}@db:5432/`],
  ])('stops start-up naming the variable when %s, never showing the value', (why, url) => {
    const problems = problemsFor(url);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^ARCHIVAL_DATABASE_URL: ${why.replace(/[()/]/g, '\\$&')}`));
    expect(problems[0]).toContain('expected postgres://user:password@host:5432/database (the value is not shown: it may hold a password)');
    expect(problems[0]).not.toContain(SECRET);
    expect(problems[0]).not.toContain('archival:');
  });

  it('checks the module option the same way, named as the option', () => {
    const problems = problemsOf(() => resolveArchivalOptions({ databaseUrl: `mysql://u:${SECRET}@db/app` }));
    expect(problems).toEqual([
      'databaseUrl: not a PostgreSQL URL (it must start with postgres:// or postgresql://); expected postgres://user:password@host:5432/database (the value is not shown: it may hold a password)',
    ]);
  });
});

describe('ARCHIVAL_DATABASE_POOL_SIZE', () => {
  it('is 4 by default, whatever the host pool size', () => {
    expect(archivalOptionsFromEnv({}).databasePoolSize).toBe(4);
    expect(archivalOptionsFromEnv({ ARCHIVAL_DATABASE_POOL_SIZE: '8' }).databasePoolSize).toBe(8);
    expect(resolveArchivalOptions({ databasePoolSize: 2 }).databasePoolSize).toBe(2);
  });

  it('takes a whole number from 1 to 100', () => {
    expect(problemsOf(() => archivalOptionsFromEnv({ ARCHIVAL_DATABASE_POOL_SIZE: '0' }))).toEqual([
      'ARCHIVAL_DATABASE_POOL_SIZE=0: expected a whole number from 1 to 100',
    ]);
    expect(problemsOf(() => archivalOptionsFromEnv({ ARCHIVAL_DATABASE_POOL_SIZE: 'many' }))).toEqual([
      'ARCHIVAL_DATABASE_POOL_SIZE="many": expected a whole number',
    ]);
  });
});
