/**
 * Terminus health indicators a host adds to its own readiness check (the
 * demo host's GET /health/ready does). Neither belongs in a liveness check:
 * archival never makes a process one that a restart would mend.
 *
 * - storageReachable: the archive store answers, read-only and cached, so
 *   probes neither write objects nor call the store on every check. The full
 *   write check runs once at start-up (storage/storage-startup.check.ts).
 * - lastRuns: enabled jobs whose last real run (not a dry run, not one skipped
 *   by the job lock) failed, in the details; down only
 *   for hosts that ask (a failed run is for alerting, not for load balancers).
 */
import { Inject, Injectable } from '@nestjs/common';
import { ArchivalService } from '../archival.service';
import { CatalogService } from '../catalog/catalog.service';
import { STORAGE_PROVIDER, StorageProvider } from '../storage/storage-provider.interface';
import { CachedProbe, ProbeTiming } from './cached-probe';

export const STORAGE_PROBE_DEFAULTS: Readonly<ProbeTiming> = Object.freeze({ ttlMs: 30_000, timeoutMs: 5_000 });

export interface LastRunsOptions {
  /** Down (503 from terminus) while any enabled job's last real run failed; default false: up, the failures in the details. */
  downOnFailure?: boolean;
}

@Injectable()
export class ArchivalHealthIndicator {
  private readonly probe: CachedProbe;

  constructor(
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    private readonly archival: ArchivalService,
    private readonly catalog: CatalogService,
  ) {
    this.probe = new CachedProbe(() => this.storage.probe());
  }

  /** Down when the store did not answer a read-only probe; one probe per `ttlMs` (default 30 s) whatever the number of checks. */
  async storageReachable(key = 'archival_storage', timing: Partial<ProbeTiming> = {}) {
    const outcome = await this.probe.outcome({
      ttlMs: timing.ttlMs ?? STORAGE_PROBE_DEFAULTS.ttlMs,
      timeoutMs: timing.timeoutMs ?? STORAGE_PROBE_DEFAULTS.timeoutMs,
    });
    const details = { type: this.storage.type, location: this.storage.location, checkedAt: outcome.at.toISOString() };
    return outcome.ok ? indicator(key, 'up', details) : indicator(key, 'down', { ...details, message: outcome.error.message });
  }

  /** Enabled jobs whose last real run that ended (not a dry run, not a tick skipped by the job lock) failed, with run ids and errors; up unless `downOnFailure`. */
  async lastRuns(key = 'archival_jobs', options: LastRunsOptions = {}) {
    const jobs = this.archival.jobs();
    // The last real run that ended: a later dry run, or a replica's tick skipped by the job lock, does not hide a failure.
    const last = await Promise.all(jobs.map(async (job) => ({ job, run: job.enabled ? await this.catalog.lastFinishedRun(job.name) : null })));
    const failed = last
      .filter(({ run }) => run?.status === 'failed')
      .map(({ job, run }) => ({ job: job.name, runId: run!.id, finishedAt: run!.finishedAt, error: run!.error }));
    const details = { jobs: jobs.length, failed };
    return indicator(key, failed.length > 0 && options.downOnFailure ? 'down' : 'up', details);
  }
}

/**
 * A terminus indicator result, `{ [key]: { ...details, status } }`, the shape HealthCheckService reads.
 * Built here rather than by terminus's HealthIndicatorService: that would make the module import
 * TerminusModule, which belongs to the host (and a host without health checks need not install it).
 */
function indicator<Key extends string>(key: Key, status: 'up' | 'down', details: object): IndicatorResult<Key> {
  return { [key]: { ...details, status } } as IndicatorResult<Key>;
}

/**
 * terminus's HealthIndicatorResult, by its shape: declared here so that the
 * module's published types name no @nestjs/terminus (an optional peer).
 */
export type IndicatorResult<Key extends string = string> = Record<Key, { status: 'up' | 'down' } & Record<string, unknown>>;
