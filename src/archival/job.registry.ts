/**
 * The jobs this module runs: the archivers the host asked for, each with its
 * settings (defaults, then per-job overrides). Checked once at start-up:
 * every override names a known job, and every retention keeps within
 * ARCHIVAL_MIN/MAX_RETENTION_DAYS.
 */
import { Inject, Injectable } from '@nestjs/common';
import { ArchivalOptions, JobSettings } from './archival-options';
import { ARCHIVAL_OPTIONS } from './archival.constants';
import { ConfigurationError, UnknownJobError } from './archival.errors';
import { TableArchiver } from './archivers/table.archiver';
import { Archiver, ARCHIVERS } from './archiver';

@Injectable()
export class JobRegistry {
  constructor(
    @Inject(ARCHIVERS) private readonly archivers: Archiver[],
    @Inject(ARCHIVAL_OPTIONS) private readonly options: ArchivalOptions,
  ) {
    const known = new Set(archivers.map((a) => a.job));
    for (const job of Object.keys(options.jobs)) {
      if (!known.has(job)) throw new UnknownJobError(job, [...known]);
    }
    this.assertRetentionBounds();
  }

  all(): readonly Archiver[] {
    return this.archivers;
  }

  /** The job's archiver; an unknown name is an UnknownJobError listing the known ones. */
  archiver(job: string): Archiver {
    const archiver = this.archivers.find((a) => a.job === job);
    if (!archiver) throw new UnknownJobError(job, this.archivers.map((a) => a.job));
    return archiver;
  }

  settings(archiver: Archiver): JobSettings {
    const defaults = archiver.defaults(this.options);
    const override = this.options.jobs[archiver.job] ?? {};
    return {
      enabled: override.enabled ?? defaults.enabled,
      cron: override.cron ?? defaults.cron,
      retentionDays: override.retentionDays ?? defaults.retentionDays,
    };
  }

  private assertRetentionBounds() {
    const { minRetentionDays: min, maxRetentionDays: max } = this.options;
    const problems = this.archivers
      .filter((a) => !(a instanceof TableArchiver && a.spec.eligibility === 'expired'))
      .map((a) => ({ job: a.job, days: this.settings(a).retentionDays }))
      .filter(({ days }) => days < min || days > max)
      .map(({ job, days }) => `job ${job} keeps rows ${days} days, outside ARCHIVAL_MIN_RETENTION_DAYS=${min}..ARCHIVAL_MAX_RETENTION_DAYS=${max}`);
    if (problems.length > 0) throw new ConfigurationError(problems);
  }
}
