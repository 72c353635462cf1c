/**
 * Terminus health indicators a host adds to its own /health (the demo host
 * does): archive storage reachable and writable, and no job whose last run
 * failed.
 */
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ArchivalService } from '../archival.service';
import { STORAGE_PROVIDER, StorageProvider } from '../storage/storage-provider.interface';

@Injectable()
export class ArchivalHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    private readonly archival: ArchivalService,
  ) {}

  /** Writes and removes a probe object. */
  async storageWritable(key = 'archival_storage') {
    const session = this.health.check(key);
    try {
      await this.storage.check();
      return session.up({ type: this.storage.type, location: this.storage.location });
    } catch (error) {
      return session.down({ type: this.storage.type, location: this.storage.location, message: (error as Error).message });
    }
  }

  /** Down when the last (non-dry) run of any enabled job failed, naming the jobs and errors. */
  async lastRuns(key = 'archival_jobs') {
    const session = this.health.check(key);
    const jobs = await this.archival.getStatus();
    const failed = jobs
      .filter((j) => j.enabled && j.lastRun?.status === 'failed')
      .map((j) => ({ job: j.name, runId: j.lastRun!.runId, error: j.lastRun!.error }));
    return failed.length === 0 ? session.up({ jobs: jobs.length }) : session.down({ failed });
  }
}
