import { PresetName } from './archivers/preset-names';
import { TableSpec } from './engine/table-spec';
import { ThrottleOptions } from './throttle/throttle-options';
/**
 * The module's options: what a host passes to ArchivalModule.forRoot (input),
 * and what every service receives once defaults are applied and values are
 * validated (ArchivalOptions).
 */
export type StorageType = 'local' | 's3';
export type ArchiveFormatName = 'json' | 'parquet';
export type CompressionName = 'gzip' | 'zstd' | 'none';

export interface LocalStorageOptions {
  type: 'local';
  /** Directory that holds every archive. */
  path: string;
}

export interface S3StorageOptions {
  type: 's3';
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  sse?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  storageClass?: string;
  /** A request whose socket stays silent this long fails (and is retried); default 60 s. */
  requestTimeoutMs?: number;
}

export type StorageOptions = LocalStorageOptions | S3StorageOptions;

/** Per-job settings; every built-in or host-declared job has one, defaults filled in. */
export interface JobSettings {
  enabled: boolean;
  cron: string;
  retentionDays: number;
}

export interface JobSettingsInput {
  enabled?: boolean;
  cron?: string;
  retentionDays?: number;
}

/** A host table archived by a job of its own, declared in options: no code needed. */
export interface DeclaredTable extends TableSpec {
  /** Job name, e.g. "audit-archival" (lower case, digits and dashes). */
  job: string;
  /** Defaults to ARCHIVAL_RETENTION_DAYS. */
  retentionDays?: number;
  /** Defaults to ARCHIVAL_SCHEDULE_CRON. */
  cron?: string;
  enabled?: boolean;
}

export interface ArchivalOptionsInput {
  enabled?: boolean;
  /** `{ type: 'local', path }`, or a bare string: a directory or `s3://bucket/prefix`. */
  storage?: StorageOptions | string;
  format?: ArchiveFormatName;
  compression?: CompressionName;
  retentionDays?: number;
  callRetentionDays?: number;
  scheduleCron?: string;
  memoryCleanupEnabled?: boolean;
  memoryCleanupCron?: string;
  timezone?: string;
  batchSize?: number;
  maxRowsPerFile?: number;
  sleepBetweenBatchesMs?: number;
  /** Rest this many times as long as each step of work took (0: full speed); see engine/pacer.ts. */
  niceRatio?: number;
  /** Pause on what the database reports (replica lag, active backends, a host query); see throttle/throttle-options.ts. */
  throttle?: Partial<ThrottleOptions>;
  /** Adapt the COPY batch size so each batch takes about this long (0: fixed `batchSize`); see engine/batch-sizer.ts. */
  targetStepMs?: number;
  /** Month windows of one table archived at once, each under its own advisory lock (1: one after another); see engine/table-run.ts and engine/window-lock.ts. */
  parallelism?: number;
  /** Statuses of flow sessions still going: session-archival never takes them. */
  activeSessionStatuses?: string[];
  /** No job may be configured to keep rows for less, or more, than these bounds. */
  minRetentionDays?: number;
  maxRetentionDays?: number;
  /** Bearer token of the admin REST API; at least 32 characters. */
  adminToken?: string;
  /** AES-256 key, base64 (32 bytes): new archives are encrypted client-side with AES-256-GCM (`.enc`); also read with. */
  encryptionKey?: string | Buffer;
  /**
   * Older keys, only read with: `{ label: base64 or 32-byte Buffer }`, or the env form
   * `label:base64,label:base64`. An archive picks its key by key id (SHA-256 of the key),
   * so a label only names the key in messages.
   */
  encryptionKeys?: string | Record<string, string | Buffer>;
  /**
   * The module's own connection, e.g. `postgres://archival:pw@db:5432/app`, instead of the host
   * DataSource's: the same database, reached with a real session (advisory locks, temp tables,
   * session settings), for hosts behind a transaction-mode pooler. Never echoed: it may hold a password.
   */
  databaseUrl?: string;
  /** Connections of the module's pool (1–100, default 4); the host's pool size is never taken. */
  databasePoolSize?: number;
  /** Register cron jobs (true in an API, false in the CLI). */
  schedule?: boolean;
  jobs?: Record<string, JobSettingsInput>;
  /** Host tables to archive, each as its own job. */
  tables?: DeclaredTable[];
  /** Built-in jobs to switch on, by job name (see archivers/preset-names.ts); none unless named. */
  presets?: readonly PresetName[];
  /** Where each option came from, for error messages (env variable names). */
  sourceNames?: Partial<Record<keyof ArchivalOptionsInput | 'storage.region' | 'storage.endpoint' | `throttle.${keyof ThrottleOptions}`, string>>;
}

export interface ArchivalOptions {
  enabled: boolean;
  storage: StorageOptions;
  format: ArchiveFormatName;
  compression: CompressionName;
  retentionDays: number;
  callRetentionDays: number;
  scheduleCron: string;
  memoryCleanupEnabled: boolean;
  memoryCleanupCron: string;
  timezone: string;
  batchSize: number;
  maxRowsPerFile: number;
  sleepBetweenBatchesMs: number;
  niceRatio: number;
  throttle: ThrottleOptions;
  targetStepMs: number;
  parallelism: number;
  activeSessionStatuses: string[];
  minRetentionDays: number;
  maxRetentionDays: number;
  adminToken?: string;
  encryptionKey?: Buffer;
  /** Keys kept for reading archives written before a rotation, by label. */
  encryptionKeys: Record<string, Buffer>;
  databaseUrl?: string;
  databasePoolSize: number;
  schedule: boolean;
  jobs: Record<string, JobSettingsInput>;
  tables: DeclaredTable[];
  presets: PresetName[];
}

export const DEFAULTS = {
  enabled: true,
  storagePath: './archives',
  format: 'json' as ArchiveFormatName,
  compression: 'gzip' as CompressionName,
  retentionDays: 90,
  callRetentionDays: 365,
  scheduleCron: '0 2 1 * *',
  memoryCleanupEnabled: true,
  memoryCleanupCron: '0 2 * * *',
  timezone: 'UTC',
  batchSize: 10_000,
  maxRowsPerFile: 500_000,
  sleepBetweenBatchesMs: 0,
  niceRatio: 0,
  targetStepMs: 0,
  parallelism: 1,
  activeSessionStatuses: ['running', 'pending', 'waiting'],
  minRetentionDays: 1,
  maxRetentionDays: 36_500,
  databasePoolSize: 4,
  s3Region: 'us-east-1',
};
