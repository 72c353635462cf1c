/**
 * What each `archival` command does once its command line parsed and the
 * application context is up. Each returns its exit code: 0 done, 1 the work
 * failed; bad usage was refused before (cli-program.ts).
 */
import { INestApplicationContext } from '@nestjs/common';
import { ArchivalService } from '../archival/archival.service';
import { ArchiveStatus, RunStatus } from '../archival/catalog/statuses';
import { CatalogService } from '../archival/catalog/catalog.service';
import { knownJob } from '../archival/input/operator-input';
import { ConflictStrategy, RestoreService } from '../archival/restore/restore.service';
import { VerifyService } from '../archival/readback/verify.service';
import { ExportService } from '../archival/readback/export.service';
import { MigrationResult } from './catalog-migrations';
import { formatTable } from './format-table';
import { lakeCommand } from './lake-command';
import { showProgress } from './progress-bar';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Present when stderr is a terminal: writes a progress frame as is (no newline). */
  progress?(frame: string): void;
}

/** Every command's options, as cli-values.ts parsed them; each command has its own few. */
export interface CommandOptions {
  dryRun?: boolean;
  table?: string;
  status?: ArchiveStatus | RunStatus;
  from?: string;
  to?: string;
  job?: string;
  limit?: number;
  archive?: number;
  conflict?: ConflictStrategy;
  ignoreWatermark?: boolean;
}

export interface CommandInput {
  context: INestApplicationContext;
  args: string[];
  options: CommandOptions;
  io: CliIo;
  json: boolean;
  migrate(): Promise<MigrationResult>;
}

export const COMMANDS = {
  async jobs({ context, io, json }: CommandInput) {
    const catalog = context.get(CatalogService);
    const jobs = await Promise.all(
      context.get(ArchivalService).jobs().map(async (job) => ({ ...job, lastRun: await catalog.lastRun(job.name) })),
    );
    if (json) io.out(JSON.stringify(jobs, null, 2));
    else io.out(formatTable(jobs.map((j) => ({
      job: j.name, enabled: j.enabled, cron: j.cron, retentionDays: j.retentionDays, tables: j.tables.join(','),
      lastRun: j.lastRun ? `${j.lastRun.status} ${j.lastRun.startedAt.toISOString()}` : '-',
    }))));
    return 0;
  },

  async run({ context, args: [job], options, io, json }: CommandInput) {
    const archival = context.get(ArchivalService);
    const { runId, done } = await archival.trigger(job, { dryRun: options.dryRun === true, trigger: 'cli' });
    const stop = json ? () => undefined : showProgress(archival, job, runId, io);
    const report = await done.finally(stop);
    if (json) io.out(JSON.stringify(report, null, 2));
    else {
      const verb = report.dryRun ? 'would archive' : 'archived';
      io.out(`${report.job}: ${report.status}, ${verb} ${report.rows} rows in ${report.archives} archives (${report.bytes} bytes), run ${report.runId}`);
      for (const table of report.tables) {
        for (const window of table.plan ?? []) io.out(`  ${table.table} ${window.window}: ${window.rows} rows, ${window.parts} part(s)`);
        for (const archive of table.archives) io.out(`  ${archive.path}: ${archive.rows} rows, ${archive.bytes} bytes`);
        for (const child of table.children) io.out(`  ${child.table} (with their ${table.table}): ${child.rows} rows in ${child.archives} archives, ${child.bytes} bytes`);
      }
      if (report.error) io.err(`archival: ${report.error}`);
    }
    return report.status === 'succeeded' ? 0 : 1;
  },

  async archives({ context, options, io, json }: CommandInput) {
    const { table, from, to } = options;
    const archives = await context.get(CatalogService).listArchives({ table, status: options.status as ArchiveStatus | undefined, from, to });
    if (json) io.out(JSON.stringify(archives, null, 2));
    else io.out(formatTable(archives.map((a) => ({
      id: a.id, table: a.tableName, window: `${a.startDate}..${a.endDate}`, part: a.part, status: a.status,
      rows: a.rowCount, bytes: a.compressedSize, path: a.archivePath,
    }))));
    return 0;
  },

  async runs({ context, options, io, json }: CommandInput) {
    const job = options.job && knownJob(options.job, [...context.get(ArchivalService).jobs().map((j) => j.name), 'restore']);
    const runs = await context.get(CatalogService).listRuns({ job, status: options.status as RunStatus | undefined, limit: options.limit ?? 50 });
    if (json) io.out(JSON.stringify(runs, null, 2));
    else io.out(formatTable(runs.map((r) => ({
      id: r.id, job: r.job, trigger: r.trigger, dryRun: r.dryRun, status: r.status, started: r.startedAt.toISOString(),
      rows: r.rows, bytes: r.bytes, error: r.error ?? '',
    }))));
    return 0;
  },

  async verify({ context, options, io, json }: CommandInput) {
    const { archive: archiveId, table, from, to } = options;
    const report = await context.get(VerifyService).verify({ archiveId, table, from, to });
    const bad = report.problems.length + report.untracked.length + report.missing.length;
    if (json) io.out(JSON.stringify(report, null, 2));
    else {
      io.out(`checked ${report.checked} archives: ${report.ok} intact, ${report.problems.length} problem(s), ${report.missing.length} missing object(s), ${report.untracked.length} untracked object(s)`);
      for (const p of report.problems) io.out(`  archive ${p.archiveId} ${p.path}: ${p.problem}`);
      for (const m of report.missing) io.out(`  missing: archive ${m.archiveId} ${m.path}`);
      for (const key of report.untracked) io.out(`  untracked: ${key} (in storage, not in the catalog)`);
      for (const s of report.superseded) {
        io.out(`  superseded: archive ${s.archiveId} ${s.path}: its rows are in archive ${s.supersededBy} or back in the table; ${s.fileRemoved ? 'its file left the table folder (the manifest stays)' : 'its file is removed by the next run'}`);
      }
    }
    return bad === 0 ? 0 : 1;
  },

  async restore({ context, options, io, json }: CommandInput) {
    const { archive: archiveId, table, from, to, conflict = 'skip' } = options;
    const report = await context.get(RestoreService).restore({
      archiveId, table, from, to, conflict, dryRun: options.dryRun === true, ignoreWatermark: options.ignoreWatermark === true,
    }, 'cli');
    if (json) io.out(JSON.stringify(report, null, 2));
    else {
      const verb = report.dryRun ? 'would restore' : 'restored';
      io.out(`${verb} ${report.rows} rows from ${report.archives.filter((a) => !a.skipped).length} archives (${report.written} written, conflict=${report.conflict}), run ${report.runId}`);
      for (const a of report.archives) io.out(`  ${a.path}: ${a.skipped ?? `${a.rows} rows, ${a.written} written`}`);
    }
    return 0;
  },

  async export({ context, args: [job, id], io }: CommandInput) {
    for (const line of await context.get(ExportService).export(job, id)) io.out(line);
    return 0;
  },

  lake: lakeCommand,

  async migrate({ migrate, io, json }: CommandInput) {
    const { applied, pending } = await migrate();
    if (json) io.out(JSON.stringify({ applied, pending }));
    else io.out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    return 0;
  },
};

export type CommandName = keyof typeof COMMANDS;
