/**
 * Reads the ARCHIVAL_* environment variables into ArchivalOptionsInput.
 * Only this file (and the demo host) reads the environment; services receive
 * validated options. Every problem names the variable and the bad value;
 * secrets are named but never echoed.
 */
import { ArchivalOptions, ArchivalOptionsInput, CompressionName, ArchiveFormatName, JobSettingsInput, StorageOptions } from '../archival-options';
import { ConfigurationError } from '../archival.errors';
import { PresetName } from '../archivers/preset-names';
import { NO_ACTIVE_STATUS, presetList, resolveArchivalOptions } from './resolve-options';
import { parseS3Location } from './storage-location';
import { THROTTLE_ENV } from './throttle-settings';

type Env = Record<string, string | undefined>;

/** Global variables that also match the per-job ARCHIVAL_<JOB>_<SETTING> pattern. */
const GLOBAL_NAMES = new Set([
  'ARCHIVAL_SCHEDULE_CRON', 'ARCHIVAL_RETENTION_DAYS', 'ARCHIVAL_CALL_RETENTION_DAYS', 'ARCHIVAL_ENABLED',
  'ARCHIVAL_MIN_RETENTION_DAYS', 'ARCHIVAL_MAX_RETENTION_DAYS',
]);
const JOB_SETTING = /^ARCHIVAL_([A-Z0-9_]+?)_(CRON|ENABLED|RETENTION_DAYS)$/;

/** Parse and validate in one step: throws one ConfigurationError naming every bad variable. */
export function archivalOptionsFromEnv(env: Env, overrides: ArchivalOptionsInput = {}): ArchivalOptions {
  const problems: string[] = [];
  const input = readInput(new EnvReader(env, problems), env);
  try {
    const options = resolveArchivalOptions({ ...input, ...overrides });
    if (problems.length > 0) throw new ConfigurationError(problems);
    return options;
  } catch (error) {
    if (!(error instanceof ConfigurationError) || error.problems === problems) throw error;
    throw new ConfigurationError([...problems, ...error.problems]);
  }
}

function readInput(read: EnvReader, env: Env): ArchivalOptionsInput {
  return {
    enabled: read.bool('ARCHIVAL_ENABLED'),
    storage: storageFromEnv(read),
    format: read.str('ARCHIVAL_FORMAT') as ArchiveFormatName | undefined,
    compression: read.str('ARCHIVAL_COMPRESSION') as CompressionName | undefined,
    retentionDays: read.int('ARCHIVAL_RETENTION_DAYS'),
    callRetentionDays: read.int('ARCHIVAL_CALL_RETENTION_DAYS'),
    scheduleCron: read.str('ARCHIVAL_SCHEDULE_CRON'),
    memoryCleanupEnabled: read.bool('MEMORY_CLEANUP_ENABLED'),
    memoryCleanupCron: read.str('MEMORY_CLEANUP_SCHEDULE_CRON'),
    timezone: read.str('ARCHIVAL_TIMEZONE'),
    batchSize: read.int('ARCHIVAL_BATCH_SIZE'),
    maxRowsPerFile: read.int('ARCHIVAL_MAX_ROWS_PER_FILE'),
    sleepBetweenBatchesMs: read.int('ARCHIVAL_SLEEP_BETWEEN_BATCHES_MS'),
    niceRatio: read.num('ARCHIVAL_NICE_RATIO'),
    throttle: throttleFromEnv(read),
    targetStepMs: read.int('ARCHIVAL_TARGET_STEP_MS'),
    parallelism: read.int('ARCHIVAL_PARALLELISM'),
    activeSessionStatuses: read.list('ARCHIVAL_SESSION_ACTIVE_STATUSES', NO_ACTIVE_STATUS),
    minRetentionDays: read.int('ARCHIVAL_MIN_RETENTION_DAYS'),
    maxRetentionDays: read.int('ARCHIVAL_MAX_RETENTION_DAYS'),
    adminToken: read.str('ARCHIVAL_ADMIN_TOKEN'),
    encryptionKey: read.str('ARCHIVAL_ENCRYPTION_KEY'),
    encryptionKeys: read.str('ARCHIVAL_ENCRYPTION_KEYS'),
    databaseUrl: read.str('ARCHIVAL_DATABASE_URL'),
    databasePoolSize: read.int('ARCHIVAL_DATABASE_POOL_SIZE'),
    presets: presetsFromEnv(read),
    jobs: jobsFromEnv(read, env),
    sourceNames: SOURCE_NAMES,
  };
}

const SOURCE_NAMES: ArchivalOptionsInput['sourceNames'] = {
  enabled: 'ARCHIVAL_ENABLED',
  storage: 'ARCHIVAL_PATH',
  format: 'ARCHIVAL_FORMAT',
  compression: 'ARCHIVAL_COMPRESSION',
  retentionDays: 'ARCHIVAL_RETENTION_DAYS',
  callRetentionDays: 'ARCHIVAL_CALL_RETENTION_DAYS',
  scheduleCron: 'ARCHIVAL_SCHEDULE_CRON',
  memoryCleanupCron: 'MEMORY_CLEANUP_SCHEDULE_CRON',
  timezone: 'ARCHIVAL_TIMEZONE',
  batchSize: 'ARCHIVAL_BATCH_SIZE',
  maxRowsPerFile: 'ARCHIVAL_MAX_ROWS_PER_FILE',
  sleepBetweenBatchesMs: 'ARCHIVAL_SLEEP_BETWEEN_BATCHES_MS',
  niceRatio: 'ARCHIVAL_NICE_RATIO',
  targetStepMs: 'ARCHIVAL_TARGET_STEP_MS',
  parallelism: 'ARCHIVAL_PARALLELISM',
  minRetentionDays: 'ARCHIVAL_MIN_RETENTION_DAYS',
  maxRetentionDays: 'ARCHIVAL_MAX_RETENTION_DAYS',
  activeSessionStatuses: 'ARCHIVAL_SESSION_ACTIVE_STATUSES',
  adminToken: 'ARCHIVAL_ADMIN_TOKEN',
  encryptionKey: 'ARCHIVAL_ENCRYPTION_KEY',
  encryptionKeys: 'ARCHIVAL_ENCRYPTION_KEYS',
  databaseUrl: 'ARCHIVAL_DATABASE_URL',
  databasePoolSize: 'ARCHIVAL_DATABASE_POOL_SIZE',
  presets: 'ARCHIVAL_PRESETS',
  'storage.region': 'ARCHIVAL_S3_REGION',
  'storage.endpoint': 'ARCHIVAL_S3_ENDPOINT',
  ...Object.fromEntries(Object.entries(THROTTLE_ENV).map(([key, variable]) => [`throttle.${key}`, variable])),
};

function throttleFromEnv(read: EnvReader): ArchivalOptionsInput['throttle'] {
  const { throttleQuery, ...limits } = THROTTLE_ENV;
  return {
    ...Object.fromEntries(Object.entries(limits).map(([key, variable]) => [key, read.int(variable)])),
    throttleQuery: read.str(throttleQuery),
  };
}

function storageFromEnv(read: EnvReader): StorageOptions | string | undefined {
  const type = read.str('ARCHIVAL_STORAGE_TYPE');
  const path = read.str('ARCHIVAL_PATH');
  if (type !== undefined && type !== 'local' && type !== 's3') {
    read.problem('ARCHIVAL_STORAGE_TYPE', type, 'expected one of local, s3');
    return path;
  }
  const isS3Path = path?.startsWith('s3://') ?? false;
  // A mismatch is reported here; the location itself is checked once, by resolveArchivalOptions.
  if (type === 's3' && !isS3Path) {
    read.problem('ARCHIVAL_PATH', path ?? '', 'ARCHIVAL_STORAGE_TYPE=s3 needs ARCHIVAL_PATH=s3://bucket/prefix');
    return undefined;
  }
  if (type === 'local' && isS3Path) {
    read.problem('ARCHIVAL_PATH', path ?? '', 'ARCHIVAL_STORAGE_TYPE=local needs a directory, not an s3:// location');
    return undefined;
  }
  if (!isS3Path) return path;
  const sse = read.str('ARCHIVAL_S3_SSE');
  if (sse !== undefined && sse !== 'AES256' && sse !== 'aws:kms') {
    read.problem('ARCHIVAL_S3_SSE', sse, 'expected one of AES256, aws:kms');
  }
  return {
    type: 's3',
    ...parseS3Location(path!),
    region: read.str('ARCHIVAL_S3_REGION') ?? 'us-east-1',
    endpoint: read.str('ARCHIVAL_S3_ENDPOINT'),
    accessKeyId: read.str('ARCHIVAL_S3_ACCESS_KEY_ID'),
    secretAccessKey: read.str('ARCHIVAL_S3_SECRET_ACCESS_KEY'),
    forcePathStyle: read.bool('ARCHIVAL_S3_FORCE_PATH_STYLE') ?? false,
    sse: sse as 'AES256' | 'aws:kms' | undefined,
    kmsKeyId: read.str('ARCHIVAL_S3_KMS_KEY_ID'),
    storageClass: read.str('ARCHIVAL_S3_STORAGE_CLASS'),
  };
}

/** `log-archival,call-archival`, or `none`; unset is none too. Checked here so the message shows the value as written. */
function presetsFromEnv(read: EnvReader): PresetName[] | undefined {
  const value = read.str('ARCHIVAL_PRESETS');
  if (value === undefined || value.toLowerCase() === 'none') return value === undefined ? undefined : [];
  const entries = value.split(',').map((v) => v.trim()) as PresetName[];
  const why = entries.includes('' as PresetName)
    ? 'has an empty entry; list job names separated by single commas, or none'
    : presetList(entries);
  if (why) read.problem('ARCHIVAL_PRESETS', value, why);
  return why ? undefined : entries;
}

function jobsFromEnv(read: EnvReader, env: Env): Record<string, JobSettingsInput> {
  const jobs: Record<string, JobSettingsInput> = {};
  for (const variable of Object.keys(env).sort()) {
    const match = JOB_SETTING.exec(variable);
    if (!match || GLOBAL_NAMES.has(variable) || env[variable] === undefined || env[variable] === '') continue;
    const job = match[1].toLowerCase().replace(/_/g, '-');
    const settings = (jobs[job] ??= {});
    if (match[2] === 'CRON') settings.cron = read.str(variable);
    if (match[2] === 'ENABLED') settings.enabled = read.bool(variable);
    if (match[2] === 'RETENTION_DAYS') settings.retentionDays = read.int(variable);
  }
  return jobs;
}

class EnvReader {
  constructor(private readonly env: Env, private readonly problems: string[]) {}

  str(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  int(name: string): number | undefined {
    const value = this.str(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) {
      this.problem(name, value, 'expected a whole number');
      return undefined;
    }
    return Number(value);
  }

  num(name: string): number | undefined {
    const value = this.str(name);
    if (value === undefined) return undefined;
    if (!/^-?(\d+\.?\d*|\.\d+)$/.test(value)) {
      this.problem(name, value, 'expected a number');
      return undefined;
    }
    return Number(value);
  }

  /** Comma-separated values, trimmed; empty entries dropped. Set, yet listing nothing (`,`), is a problem: `whenEmpty` says why. */
  list(name: string, whenEmpty: string): string[] | undefined {
    const value = this.str(name);
    const entries = value?.split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (value === undefined || entries!.length > 0) return entries;
    this.problem(name, value, whenEmpty);
    return undefined;
  }

  bool(name: string): boolean | undefined {
    const value = this.str(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problem(name, value, 'expected true or false');
    return undefined;
  }

  problem(name: string, value: string, why: string) {
    this.problems.push(`${name}=${JSON.stringify(value)}: ${why}`);
  }
}
