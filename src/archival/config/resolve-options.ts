/**
 * Applies defaults to ArchivalOptionsInput and validates every value once, at
 * the module's edge. All problems are reported together, each naming the
 * option (or the env variable it came from) and the accepted values.
 */
import { CronTime, validateCronExpression } from 'cron';
import { ArchivalOptions, ArchivalOptionsInput, DeclaredTable, DEFAULTS, JobSettingsInput } from '../archival-options';
import { ConfigurationError } from '../archival.errors';
import { PRESET_NAMES, PresetName } from '../archivers/preset-names';
import { assertIdentifier, parseTableName } from '../sql/sql-identifier';
import { resolveDatabaseUrl } from './database-url';
import { resolveEncryptionKey, resolveEncryptionKeys } from './encryption-keys';
import { resolveStorage } from './storage-location';
import { resolveThrottle } from './throttle-settings';

const FORMATS = ['json', 'parquet'] as const;
const COMPRESSIONS = ['gzip', 'zstd', 'none'] as const;
const MIN_ADMIN_TOKEN_LENGTH = 32;
/** session-archival never takes sessions in these statuses: an empty list would archive and delete running ones. */
export const NO_ACTIVE_STATUS =
  'lists no status; sessions still going would be archived and deleted. Give at least one (e.g. running,pending,waiting), or unset it for the default';

type SourceName = keyof NonNullable<ArchivalOptionsInput['sourceNames']>;

/** Pooled connections one window at work may hold at once: its COPY, its seal's catalog link, its purge. */
export const PER_WINDOW_CONNECTIONS = 3;

export function resolveArchivalOptions(input: ArchivalOptionsInput = {}): ArchivalOptions {
  const problems: string[] = [];
  const name = (key: SourceName) => input.sourceNames?.[key] ?? key;
  const check = <T>(key: keyof ArchivalOptionsInput, value: T, test: (v: T) => string | undefined): T => {
    const problem = test(value);
    if (problem) problems.push(`${name(key)}=${JSON.stringify(value)}: ${problem}`);
    return value;
  };
  // Crons are checked in the zone they will run in; a bad zone is reported on its own.
  const zone = input.timezone && !timezone(input.timezone) ? input.timezone : DEFAULTS.timezone;
  const cron = (value: string) => cronExpression(value, zone);
  const storageNames = { location: name('storage'), region: name('storage.region'), endpoint: name('storage.endpoint') };

  const options: ArchivalOptions = {
    enabled: input.enabled ?? DEFAULTS.enabled,
    storage: resolveStorage(input.storage, storageNames, problems),
    format: check('format', input.format ?? DEFAULTS.format, oneOf(FORMATS)),
    compression: check('compression', input.compression ?? DEFAULTS.compression, oneOf(COMPRESSIONS)),
    retentionDays: check('retentionDays', input.retentionDays ?? DEFAULTS.retentionDays, wholeNumber(1)),
    callRetentionDays: check('callRetentionDays', input.callRetentionDays ?? DEFAULTS.callRetentionDays, wholeNumber(1)),
    scheduleCron: check('scheduleCron', input.scheduleCron ?? DEFAULTS.scheduleCron, cron),
    memoryCleanupEnabled: input.memoryCleanupEnabled ?? DEFAULTS.memoryCleanupEnabled,
    memoryCleanupCron: check('memoryCleanupCron', input.memoryCleanupCron ?? DEFAULTS.memoryCleanupCron, cron),
    timezone: check('timezone', input.timezone ?? DEFAULTS.timezone, timezone),
    batchSize: check('batchSize', input.batchSize ?? DEFAULTS.batchSize, wholeNumber(1, 1_000_000)),
    maxRowsPerFile: check('maxRowsPerFile', input.maxRowsPerFile ?? DEFAULTS.maxRowsPerFile, wholeNumber(1, 50_000_000)),
    sleepBetweenBatchesMs: check(
      'sleepBetweenBatchesMs',
      input.sleepBetweenBatchesMs ?? DEFAULTS.sleepBetweenBatchesMs,
      wholeNumber(0, 600_000),
    ),
    niceRatio: check('niceRatio', input.niceRatio ?? DEFAULTS.niceRatio, decimal(0, 100)),
    targetStepMs: check('targetStepMs', input.targetStepMs ?? DEFAULTS.targetStepMs, wholeNumber(0, 600_000)),
    parallelism: check('parallelism', input.parallelism ?? DEFAULTS.parallelism, wholeNumber(1, 16)),
    throttle: resolveThrottle(input.throttle, (key) => name(`throttle.${key}`), problems),
    activeSessionStatuses: check('activeSessionStatuses', input.activeSessionStatuses ?? DEFAULTS.activeSessionStatuses, statusList),
    minRetentionDays: check('minRetentionDays', input.minRetentionDays ?? DEFAULTS.minRetentionDays, wholeNumber(1)),
    maxRetentionDays: check('maxRetentionDays', input.maxRetentionDays ?? DEFAULTS.maxRetentionDays, wholeNumber(1)),
    adminToken: resolveAdminToken(input.adminToken, name('adminToken'), problems),
    encryptionKey: resolveEncryptionKey(input.encryptionKey, name('encryptionKey'), problems),
    encryptionKeys: resolveEncryptionKeys(input.encryptionKeys, name('encryptionKeys'), problems),
    databaseUrl: resolveDatabaseUrl(input.databaseUrl, name('databaseUrl'), problems),
    databasePoolSize: check('databasePoolSize', input.databasePoolSize ?? DEFAULTS.databasePoolSize, wholeNumber(1, 100)),
    schedule: input.schedule ?? true,
    jobs: {},
    tables: (input.tables ?? []).map((table) => ({ ...table })),
    presets: check('presets', [...(input.presets ?? [])], presetList),
  };
  options.tables.forEach((table) => problems.push(...declaredTableProblems(table, cron)));
  // Each window at work can hold a pooled connection for its COPY, one for its seal's catalog link and one for its purge.
  if (options.parallelism > 1 && options.databasePoolSize < PER_WINDOW_CONNECTIONS * options.parallelism) {
    problems.push(
      `${name('parallelism')}=${options.parallelism}: needs ${name('databasePoolSize')} of at least ${PER_WINDOW_CONNECTIONS * options.parallelism} ` +
        `(${PER_WINDOW_CONNECTIONS} connections per window at work), it is ${options.databasePoolSize}`,
    );
  }
  for (const [job, settings] of Object.entries(input.jobs ?? {})) {
    options.jobs[job] = resolveJob(job, settings, cron, problems);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return options;
}

/** Every identifier of a declared table must be a plain SQL identifier; job names must be simple. */
function declaredTableProblems(table: DeclaredTable, cron: (value: string) => string | undefined): string[] {
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
  const cronProblem = table.cron === undefined ? undefined : cron(table.cron);
  if (cronProblem) problems.push(`${where}.cron=${JSON.stringify(table.cron)}: ${cronProblem}`);
  if (table.retentionDays !== undefined && wholeNumber(1)(table.retentionDays)) {
    problems.push(`${where}.retentionDays=${table.retentionDays}: ${wholeNumber(1)(table.retentionDays)}`);
  }
  return problems;
}

function resolveJob(job: string, settings: JobSettingsInput, cron: (value: string) => string | undefined, problems: string[]): JobSettingsInput {
  const prefix = `ARCHIVAL_${job.toUpperCase().replace(/-/g, '_')}`;
  if (settings.cron !== undefined) {
    const problem = cron(settings.cron);
    if (problem) problems.push(`${prefix}_CRON=${JSON.stringify(settings.cron)}: ${problem}`);
  }
  if (settings.retentionDays !== undefined) {
    const problem = wholeNumber(1)(settings.retentionDays);
    if (problem) problems.push(`${prefix}_RETENTION_DAYS=${settings.retentionDays}: ${problem}`);
  }
  return { ...settings };
}

/** The token guards restore and purge-triggering routes: short ones are guessable. A secret: never echoed. */
function resolveAdminToken(value: string | undefined, name: string, problems: string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length < MIN_ADMIN_TOKEN_LENGTH) {
    problems.push(`${name}: must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters; generate one with: openssl rand -hex 32`);
  }
  return value;
}

/** Each preset once, each a known one: a typo would silently leave a table unarchived. */
export function presetList(value: PresetName[]): string | undefined {
  if (!Array.isArray(value)) return `expected a list of ${PRESET_NAMES.join(', ')}`;
  const unknown = value.filter((name) => !(PRESET_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) return `unknown preset ${unknown.map((n) => JSON.stringify(n)).join(', ')}; expected any of ${PRESET_NAMES.join(', ')}`;
  const twice = value.filter((name, i) => value.indexOf(name) !== i);
  return twice.length > 0 ? `names ${twice.map((n) => JSON.stringify(n)).join(', ')} more than once` : undefined;
}

function statusList(value: string[]): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return NO_ACTIVE_STATUS;
  return value.some((status) => typeof status !== 'string' || status.trim() === '') ? 'has an empty status' : undefined;
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

/** A valid expression that also fires: `0 0 31 2 *` parses, but no date ever matches it. */
export function cronExpression(value: string, zone: string = DEFAULTS.timezone): string | undefined {
  const result = validateCronExpression(value);
  if (!result.valid) return `not a valid cron expression (${result.error?.message ?? 'unparsable'}); e.g. "0 2 1 * *"`;
  try {
    new CronTime(value, zone).sendAt();
    return undefined;
  } catch {
    return `never fires: no date in the next 8 years matches it (in time zone ${zone}; e.g. 30 or 31 February); e.g. "0 2 1 * *"`;
  }
}

export function timezone(value: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return undefined;
  } catch {
    return 'not an IANA time zone; e.g. UTC or Europe/Berlin';
  }
}
