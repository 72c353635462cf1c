import { ConfigurationError } from '../archival.errors';
import { archivalOptionsFromEnv } from './archival-env';

function problemsOf(env: Record<string, string>): string[] {
  try {
    archivalOptionsFromEnv(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

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
    });
  });

  it('reads every variable, including per-job overrides', () => {
    const options = archivalOptionsFromEnv({
      ARCHIVAL_PATH: '/var/archives',
      ARCHIVAL_COMPRESSION: 'zstd',
      ARCHIVAL_RETENTION_DAYS: '30',
      ARCHIVAL_TIMEZONE: 'Europe/Berlin',
      ARCHIVAL_LOG_ARCHIVAL_CRON: '*/5 * * * *',
      ARCHIVAL_LOG_ARCHIVAL_RETENTION_DAYS: '14',
      ARCHIVAL_CALL_ARCHIVAL_ENABLED: 'false',
      ARCHIVAL_ADMIN_TOKEN: 's3cret-token',
      ARCHIVAL_SESSION_ACTIVE_STATUSES: 'running, queued,',
      ARCHIVAL_NICE_RATIO: '2.5',
    });
    expect(options.niceRatio).toBe(2.5);
    expect(options.activeSessionStatuses).toEqual(['running', 'queued']);
    expect(options.storage).toEqual({ type: 'local', path: '/var/archives' });
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
    [{ ARCHIVAL_NICE_RATIO: 'gentle' }, 'ARCHIVAL_NICE_RATIO="gentle": expected a number'],
    [{ ARCHIVAL_NICE_RATIO: '-1' }, 'ARCHIVAL_NICE_RATIO=-1: expected a number from 0 to 100'],
    [{ ARCHIVAL_MIN_RETENTION_DAYS: '0' }, 'ARCHIVAL_MIN_RETENTION_DAYS=0: expected a whole number from 1'],
    [{ ARCHIVAL_PATH: 's3://Not_A_Bucket/x' }, 'ARCHIVAL_PATH="s3://Not_A_Bucket/x": not a valid s3://bucket/prefix location'],
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

  it('takes a 32-byte base64 encryption key and names a bad one without echoing it', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(archivalOptionsFromEnv({ ARCHIVAL_ENCRYPTION_KEY: key }).encryptionKey).toEqual(Buffer.alloc(32, 7));
    const short = Buffer.alloc(16, 9).toString('base64');
    const problems = problemsOf({ ARCHIVAL_ENCRYPTION_KEY: short }).join('\n');
    expect(problems).toContain('ARCHIVAL_ENCRYPTION_KEY: must be 32 random bytes, base64-encoded (this value decodes to 16 bytes)');
    expect(problems).not.toContain(short);
  });
});
