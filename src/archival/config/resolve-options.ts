/**
 * Applies defaults to ArchivalOptionsInput and validates every value once, at
 * the module's edge. All problems are reported together, each naming the
 * option (or the env variable it came from) and the accepted values.
 */
import { validateCronExpression } from 'cron';
import {
  ArchivalOptions,
  ArchivalOptionsInput,
  DeclaredTable,
  DEFAULTS,
  JobSettingsInput,
  StorageOptions,
} from '../archival-options';
import { ConfigurationError } from '../archival.errors';
import { assertIdentifier, parseTableName } from '../engine/sql-identifier';

const FORMATS = ['json', 'parquet'] as const;
const COMPRESSIONS = ['gzip', 'zstd', 'none'] as const;

export function resolveArchivalOptions(input: ArchivalOptionsInput = {}): ArchivalOptions {
  const problems: string[] = [];
  const name = (key: keyof ArchivalOptionsInput) => input.sourceNames?.[key] ?? key;
  const check = <T>(key: keyof ArchivalOptionsInput, value: T, test: (v: T) => string | undefined): T => {
    const problem = test(value);
    if (problem) problems.push(`${name(key)}=${JSON.stringify(value)}: ${problem}`);
    return value;
  };

  const options: ArchivalOptions = {
    enabled: input.enabled ?? DEFAULTS.enabled,
    storage: resolveStorage(input.storage, (p) => problems.push(`${name('storage')}: ${p}`)),
    format: check('format', input.format ?? DEFAULTS.format, oneOf(FORMATS)),
    compression: check('compression', input.compression ?? DEFAULTS.compression, oneOf(COMPRESSIONS)),
    retentionDays: check('retentionDays', input.retentionDays ?? DEFAULTS.retentionDays, wholeNumber(1)),
    callRetentionDays: check('callRetentionDays', input.callRetentionDays ?? DEFAULTS.callRetentionDays, wholeNumber(1)),
    scheduleCron: check('scheduleCron', input.scheduleCron ?? DEFAULTS.scheduleCron, cronExpression),
    memoryCleanupEnabled: input.memoryCleanupEnabled ?? DEFAULTS.memoryCleanupEnabled,
    memoryCleanupCron: check('memoryCleanupCron', input.memoryCleanupCron ?? DEFAULTS.memoryCleanupCron, cronExpression),
    timezone: check('timezone', input.timezone ?? DEFAULTS.timezone, timezone),
    batchSize: check('batchSize', input.batchSize ?? DEFAULTS.batchSize, wholeNumber(1, 1_000_000)),
    maxRowsPerFile: check('maxRowsPerFile', input.maxRowsPerFile ?? DEFAULTS.maxRowsPerFile, wholeNumber(1, 50_000_000)),
    sleepBetweenBatchesMs: check(
      'sleepBetweenBatchesMs',
      input.sleepBetweenBatchesMs ?? DEFAULTS.sleepBetweenBatchesMs,
      wholeNumber(0, 600_000),
    ),
    niceRatio: check('niceRatio', input.niceRatio ?? DEFAULTS.niceRatio, decimal(0, 100)),
    activeSessionStatuses: input.activeSessionStatuses ?? DEFAULTS.activeSessionStatuses,
    minRetentionDays: check('minRetentionDays', input.minRetentionDays ?? DEFAULTS.minRetentionDays, wholeNumber(1)),
    maxRetentionDays: check('maxRetentionDays', input.maxRetentionDays ?? DEFAULTS.maxRetentionDays, wholeNumber(1)),
    adminToken: input.adminToken || undefined,
    encryptionKey: resolveEncryptionKey(input.encryptionKey, (p) => problems.push(`${name('encryptionKey')}: ${p}`)),
    schedule: input.schedule ?? true,
    jobs: {},
    tables: (input.tables ?? []).map((table) => ({ ...table })),
  };
  options.tables.forEach((table) => problems.push(...declaredTableProblems(table)));
  for (const [job, settings] of Object.entries(input.jobs ?? {})) {
    options.jobs[job] = resolveJob(job, settings, problems);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return options;
}

/** Every identifier of a declared table must be a plain SQL identifier; job names must be simple. */
function declaredTableProblems(table: DeclaredTable): string[] {
  const where = `tables[${JSON.stringify(table.job)}]`;
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{1,62}$/.test(table.job ?? '')) problems.push(`${where}.job: expected lower case letters, digits and dashes`);
  const identifier = (value: string | undefined, what: string) => {
    try {
      if (what === 'table') parseTableName(value as string, `${where}.table`);
      else assertIdentifier(value as string, `${where}.${what}`);
    } catch (error) {
      problems.push(...((error as ConfigurationError).problems ?? [String(error)]));
    }
  };
  identifier(table.table, 'table');
  identifier(table.key, 'key');
  identifier(table.time, 'time');
  if (table.archiveName !== undefined) identifier(table.archiveName, 'archiveName');
  for (const child of table.children ?? []) {
    identifier(child.table, 'table');
    identifier(child.foreignKey, 'children.foreignKey');
    if (child.key !== undefined) identifier(child.key, 'children.key');
  }
  if (table.cron !== undefined && cronExpression(table.cron)) problems.push(`${where}.cron=${JSON.stringify(table.cron)}: ${cronExpression(table.cron)}`);
  if (table.retentionDays !== undefined && wholeNumber(1)(table.retentionDays)) {
    problems.push(`${where}.retentionDays=${table.retentionDays}: ${wholeNumber(1)(table.retentionDays)}`);
  }
  return problems;
}

function resolveJob(job: string, settings: JobSettingsInput, problems: string[]): JobSettingsInput {
  const prefix = `ARCHIVAL_${job.toUpperCase().replace(/-/g, '_')}`;
  if (settings.cron !== undefined) {
    const problem = cronExpression(settings.cron);
    if (problem) problems.push(`${prefix}_CRON=${JSON.stringify(settings.cron)}: ${problem}`);
  }
  if (settings.retentionDays !== undefined) {
    const problem = wholeNumber(1)(settings.retentionDays);
    if (problem) problems.push(`${prefix}_RETENTION_DAYS=${settings.retentionDays}: ${problem}`);
  }
  return { ...settings };
}

function resolveStorage(input: StorageOptions | string | undefined, problem: (p: string) => void): StorageOptions {
  const value = input ?? DEFAULTS.storagePath;
  if (typeof value !== 'string') return value;
  if (!value.startsWith('s3://')) {
    if (value.trim() === '') problem('the archive path is empty; give a directory or s3://bucket/prefix');
    return { type: 'local', path: value };
  }
  const location = parseS3Location(value);
  if (!location) problem(`"${value}" is not a valid s3://bucket/prefix location`);
  return { type: 's3', bucket: '', prefix: '', ...location, region: DEFAULTS.s3Region, forcePathStyle: false };
}

/** A base64 AES-256 key → its 32 bytes. The value is a secret: problems never echo it. */
function resolveEncryptionKey(value: string | Buffer | undefined, problem: (p: string) => void): Buffer | undefined {
  if (value === undefined || value === '') return undefined;
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'base64');
  if ((!Buffer.isBuffer(value) && !/^[A-Za-z0-9+/]+={0,2}$/.test(value.trim())) || bytes.length !== 32) {
    problem(`must be 32 random bytes, base64-encoded (this value decodes to ${bytes.length} bytes); generate one with: openssl rand -base64 32`);
    return undefined;
  }
  return bytes;
}

/** `s3://bucket/prefix` → its parts; undefined when the bucket name is not a valid S3 bucket name. */
export function parseS3Location(value: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
  return match ? { bucket: match[1], prefix: (match[2] ?? '').replace(/\/+$/, '') } : undefined;
}

export function oneOf<T extends string>(accepted: readonly T[]) {
  return (value: string) =>
    (accepted as readonly string[]).includes(value) ? undefined : `expected one of ${accepted.join(', ')}`;
}

export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: number) =>
    Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `expected a whole number from ${min} to ${max}`;
}

export function decimal(min: number, max: number) {
  return (value: number) =>
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max
      ? undefined
      : `expected a number from ${min} to ${max}`;
}

export function cronExpression(value: string): string | undefined {
  const result = validateCronExpression(value);
  return result.valid ? undefined : `not a valid cron expression (${result.error?.message ?? 'unparsable'}); e.g. "0 2 1 * *"`;
}

export function timezone(value: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return undefined;
  } catch {
    return 'not an IANA time zone; e.g. UTC or Europe/Berlin';
  }
}
