import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { problemsOf as problemsFrom } from '../../../test/harness/configuration-problems';
import { archivalOptionsFromEnv } from './archival-env';
import { resolveArchivalOptions } from './resolve-options';

const ARCHIVES = join(tmpdir(), 'archival-env-spec', 'archives');
const TOKEN = 'a-long-random-admin-token-0123456789';

const problemsOf = (env: Record<string, string>) => problemsFrom(() => archivalOptionsFromEnv(env));

describe('configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const options = archivalOptionsFromEnv({});
    expect(options).toMatchObject({
      enabled: true,
      storage: { type: 'local', path: './archives' },
      format: 'json',
      compression: 'gzip',
      retentionDays: 90,
      callRetentionDays: 365,
      scheduleCron: '0 2 1 * *',
      memoryCleanupCron: '0 2 * * *',
      timezone: 'UTC',
      batchSize: 10_000,
      maxRowsPerFile: 500_000,
      sleepBetweenBatchesMs: 0,
      niceRatio: 0,
      parallelism: 1,
    });
  });

  it('reads every variable, including per-job overrides', () => {
    const options = archivalOptionsFromEnv({
      ARCHIVAL_PATH: ARCHIVES,
      ARCHIVAL_COMPRESSION: 'zstd',
      ARCHIVAL_RETENTION_DAYS: '30',
      ARCHIVAL_TIMEZONE: 'Europe/Berlin',
      ARCHIVAL_LOG_ARCHIVAL_CRON: '*/5 * * * *',
      ARCHIVAL_LOG_ARCHIVAL_RETENTION_DAYS: '14',
      ARCHIVAL_CALL_ARCHIVAL_ENABLED: 'false',
      ARCHIVAL_ADMIN_TOKEN: TOKEN,
      ARCHIVAL_SESSION_ACTIVE_STATUSES: 'running, queued,',
      ARCHIVAL_NICE_RATIO: '2.5',
    });
    expect(options.niceRatio).toBe(2.5);
    expect(options.activeSessionStatuses).toEqual(['running', 'queued']);
    expect(options.storage).toEqual({ type: 'local', path: ARCHIVES });
    expect(options.adminToken).toBe(TOKEN);
    expect(options.compression).toBe('zstd');
    expect(options.retentionDays).toBe(30);
    expect(options.jobs).toEqual({
      'log-archival': { cron: '*/5 * * * *', retentionDays: 14 },
      'call-archival': { enabled: false },
    });
  });

  it.each([
    [{ ARCHIVAL_COMPRESSION: 'brotli' }, 'ARCHIVAL_COMPRESSION="brotli": expected one of gzip, zstd, none'],
    [{ ARCHIVAL_FORMAT: 'csv' }, 'ARCHIVAL_FORMAT="csv": expected one of json, parquet'],
    [{ ARCHIVAL_SCHEDULE_CRON: 'every night' }, 'ARCHIVAL_SCHEDULE_CRON="every night": not a valid cron expression'],
    [{ ARCHIVAL_RETENTION_DAYS: '-5' }, 'ARCHIVAL_RETENTION_DAYS=-5: expected a whole number from 1'],
    [{ ARCHIVAL_RETENTION_DAYS: 'ninety' }, 'ARCHIVAL_RETENTION_DAYS="ninety": expected a whole number'],
    [{ ARCHIVAL_ENABLED: 'maybe' }, 'ARCHIVAL_ENABLED="maybe": expected true or false'],
    [{ ARCHIVAL_TIMEZONE: 'Mars/Olympus' }, 'ARCHIVAL_TIMEZONE="Mars/Olympus": not an IANA time zone'],
    [{ ARCHIVAL_STORAGE_TYPE: 'ftp' }, 'ARCHIVAL_STORAGE_TYPE="ftp": expected one of local, s3'],
    [{ ARCHIVAL_LOG_ARCHIVAL_CRON: '61 * * * *' }, 'ARCHIVAL_LOG_ARCHIVAL_CRON="61 * * * *": not a valid cron expression'],
    [{ ARCHIVAL_BATCH_SIZE: '0' }, 'ARCHIVAL_BATCH_SIZE=0: expected a whole number from 1'],
    [{ ARCHIVAL_PARALLELISM: '0' }, 'ARCHIVAL_PARALLELISM=0: expected a whole number from 1 to 16'],
    [{ ARCHIVAL_PARALLELISM: 'two' }, 'ARCHIVAL_PARALLELISM="two"'],
    [{ ARCHIVAL_PARALLELISM: '2' }, 'ARCHIVAL_PARALLELISM=2: needs ARCHIVAL_DATABASE_POOL_SIZE of at least 6 (3 connections per window at work), it is 4'],
    [{ ARCHIVAL_NICE_RATIO: 'gentle' }, 'ARCHIVAL_NICE_RATIO="gentle": expected a number'],
    [{ ARCHIVAL_NICE_RATIO: '-1' }, 'ARCHIVAL_NICE_RATIO=-1: expected a number from 0 to 100'],
    [{ ARCHIVAL_MIN_RETENTION_DAYS: '0' }, 'ARCHIVAL_MIN_RETENTION_DAYS=0: expected a whole number from 1'],
    [
      { ARCHIVAL_PATH: 's3://Not_A_Bucket/x' },
      'ARCHIVAL_PATH="s3://Not_A_Bucket/x": not a valid s3://bucket/prefix location: bucket "Not_A_Bucket" is not a valid S3 bucket name',
    ],
    [{ ARCHIVAL_SESSION_ACTIVE_STATUSES: ',' }, 'ARCHIVAL_SESSION_ACTIVE_STATUSES=",": lists no status; sessions still going would be archived and deleted'],
    [{ ARCHIVAL_SESSION_ACTIVE_STATUSES: ' , ,' }, 'ARCHIVAL_SESSION_ACTIVE_STATUSES=", ,": lists no status'],
    [{ ARCHIVAL_SCHEDULE_CRON: '0 0 31 2 *' }, 'ARCHIVAL_SCHEDULE_CRON="0 0 31 2 *": never fires: no date in the next 8 years matches it'],
    [{ MEMORY_CLEANUP_SCHEDULE_CRON: '0 0 30 2 *' }, 'MEMORY_CLEANUP_SCHEDULE_CRON="0 0 30 2 *": never fires'],
    [{ ARCHIVAL_SESSION_ARCHIVAL_CRON: '0 0 31 4,6,9,11 *' }, 'ARCHIVAL_SESSION_ARCHIVAL_CRON="0 0 31 4,6,9,11 *": never fires'],
    [{ ARCHIVAL_PATH: '/dev/null/archives' }, 'ARCHIVAL_PATH="/dev/null/archives": cannot be created: /dev/null is not a directory'],
    [{ ARCHIVAL_PATH: 's3://b/../../x' }, 'ARCHIVAL_PATH="s3://b/../../x": not a valid s3://bucket/prefix location: bucket "b" is not a valid S3 bucket name'],
    [{ ARCHIVAL_PATH: 's3://bucket/../../x' }, 'ARCHIVAL_PATH="s3://bucket/../../x": not a valid s3://bucket/prefix location: the prefix "../../x" has a "." or ".." segment'],
    [{ ARCHIVAL_PATH: 's3://bucket/a/./b' }, 'the prefix "a/./b" has a "." or ".." segment'],
    [{ ARCHIVAL_PATH: 's3:///prefix' }, 'ARCHIVAL_PATH="s3:///prefix": not a valid s3://bucket/prefix location: no bucket name'],
    [{ ARCHIVAL_STORAGE_TYPE: 's3', ARCHIVAL_PATH: 's3://' }, 'ARCHIVAL_PATH="s3://": not a valid s3://bucket/prefix location: no bucket name'],
    [{ ARCHIVAL_PATH: 's3://my..bucket' }, 'bucket "my..bucket" is not a valid S3 bucket name: no two adjacent dots'],
    [{ ARCHIVAL_PATH: 's3://192.168.1.10/x' }, 'bucket "192.168.1.10" is not a valid S3 bucket name: it must not look like an IP address'],
    [{ ARCHIVAL_PATH: 's3://bucket', ARCHIVAL_S3_REGION: 'us east 1' }, 'ARCHIVAL_S3_REGION="us east 1": not an S3 region'],
    [{ ARCHIVAL_PATH: 's3://bucket', ARCHIVAL_S3_REGION: 'eu/central' }, 'ARCHIVAL_S3_REGION="eu/central": not an S3 region'],
    [{ ARCHIVAL_PATH: 's3://bucket', ARCHIVAL_S3_ENDPOINT: 'minio:9000' }, 'ARCHIVAL_S3_ENDPOINT="minio:9000": expected an http:// or https:// URL'],
    [{ ARCHIVAL_PATH: 's3://bucket', ARCHIVAL_S3_ENDPOINT: 'http//minio' }, 'ARCHIVAL_S3_ENDPOINT="http//minio": not a URL'],
    [{ ARCHIVAL_PATH: 's3://bucket', ARCHIVAL_S3_ENDPOINT: 'ftp://minio' }, 'ARCHIVAL_S3_ENDPOINT="ftp://minio": expected an http:// or https:// URL'],
    [{ ARCHIVAL_PATH: 's3://bucket', ARCHIVAL_S3_ENDPOINT: 'http://minio:9000/?x=1' }, 'ARCHIVAL_S3_ENDPOINT="http://minio:9000/?x=1": must not have a query'],
  ])('rejects %j naming the variable, the value and what is accepted', (env, message) => {
    expect(problemsOf(env).join('\n')).toContain(message);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ ARCHIVAL_COMPRESSION: 'lz4', ARCHIVAL_RETENTION_DAYS: '-1', ARCHIVAL_SCHEDULE_CRON: 'nope' });
    expect(problems).toHaveLength(3);
  });

  it('never echoes a secret', () => {
    const problems = problemsOf({ ARCHIVAL_ADMIN_TOKEN: 'hunter2', ARCHIVAL_COMPRESSION: 'lz4' });
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('refuses an admin token under 32 characters without echoing it, and takes one of 32', () => {
    const short = 'x'.repeat(31);
    const problems = problemsOf({ ARCHIVAL_ADMIN_TOKEN: short });
    expect(problems).toEqual(['ARCHIVAL_ADMIN_TOKEN: must be at least 32 characters; generate one with: openssl rand -hex 32']);
    expect(archivalOptionsFromEnv({ ARCHIVAL_ADMIN_TOKEN: 'y'.repeat(32) }).adminToken).toBe('y'.repeat(32));
  });

  it('names an S3 endpoint with credentials in it without echoing them', () => {
    const problems = problemsOf({ ARCHIVAL_PATH: 's3://bucket', ARCHIVAL_S3_ENDPOINT: 'http://admin:hunter2@minio:9000' }).join('\n');
    expect(problems).toContain('ARCHIVAL_S3_ENDPOINT: must not contain credentials (user:password@)');
    expect(problems).not.toContain('hunter2');
  });

  it('still takes blank list variables as unset, and valid crons, S3 locations, regions and endpoints', () => {
    expect(archivalOptionsFromEnv({ ARCHIVAL_SESSION_ACTIVE_STATUSES: '  ' }).activeSessionStatuses).toEqual(['running', 'pending', 'waiting']);
    const options = archivalOptionsFromEnv({
      ARCHIVAL_PATH: 's3://my-bucket.archives/team/api/', ARCHIVAL_S3_REGION: 'eu-central-2', ARCHIVAL_S3_ENDPOINT: 'https://minio.internal:9000',
      ARCHIVAL_SCHEDULE_CRON: '0 0 29 2 *', MEMORY_CLEANUP_SCHEDULE_CRON: '0 0 31 * *', ARCHIVAL_LOG_ARCHIVAL_CRON: '0 30 2 * * 1-5',
      ARCHIVAL_TIMEZONE: 'Europe/Berlin',
    });
    expect(options.storage).toMatchObject({ type: 's3', bucket: 'my-bucket.archives', prefix: 'team/api', region: 'eu-central-2', endpoint: 'https://minio.internal:9000' });
    expect(options.scheduleCron).toBe('0 0 29 2 *');
    expect(archivalOptionsFromEnv({ ARCHIVAL_PATH: 's3://b12', ARCHIVAL_S3_REGION: 'MyMinio1', ARCHIVAL_S3_ENDPOINT: 'http://127.0.0.1:9000' }).storage)
      .toMatchObject({ bucket: 'b12', prefix: '', region: 'MyMinio1' });
  });

  it('gives options that resolve again unchanged, as ArchivalModule.forRootAsync does with them', () => {
    const options = archivalOptionsFromEnv({
      ARCHIVAL_PATH: 's3://bucket/team', ARCHIVAL_S3_ENDPOINT: 'http://127.0.0.1:9000', ARCHIVAL_ADMIN_TOKEN: TOKEN,
      ARCHIVAL_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'), ARCHIVAL_ENCRYPTION_KEYS: `old:${Buffer.alloc(32, 2).toString('base64')}`,
      ARCHIVAL_LOG_ARCHIVAL_CRON: '0 4 * * *',
    });
    expect(resolveArchivalOptions(options)).toEqual(options);
    expect(resolveArchivalOptions(archivalOptionsFromEnv({ ARCHIVAL_PATH: ARCHIVES }))).toEqual(archivalOptionsFromEnv({ ARCHIVAL_PATH: ARCHIVES }));
  });

  it('takes a 32-byte base64 encryption key and names a bad one without echoing it', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(archivalOptionsFromEnv({ ARCHIVAL_ENCRYPTION_KEY: key }).encryptionKey).toEqual(Buffer.alloc(32, 7));
    const short = Buffer.alloc(16, 9).toString('base64');
    const problems = problemsOf({ ARCHIVAL_ENCRYPTION_KEY: short }).join('\n');
    expect(problems).toContain('ARCHIVAL_ENCRYPTION_KEY: must be 32 random bytes, base64-encoded (this value decodes to 16 bytes)');
    expect(problems).not.toContain(short);
  });
});
