/**
 * At start-up, proves the archive store is reachable and writable and says
 * clearly why not (missing bucket, bad credentials, unreachable endpoint).
 * It does not stop the host API: archival is not its critical path, runs fail
 * with the same reason until the store is fixed. Readiness probes do not
 * repeat this write: they probe read-only (health/archival.health.ts).
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ARCHIVAL_OPTIONS } from '../archival.constants';
import { ArchivalOptions } from '../archival-options';
import { STORAGE_PROVIDER, StorageProvider } from './storage-provider.interface';

@Injectable()
export class StorageStartupCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('ArchivalStorage');

  constructor(
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    @Inject(ARCHIVAL_OPTIONS) private readonly options: ArchivalOptions,
  ) {}

  onApplicationBootstrap(): void {
    // Only where the module serves (schedules runs): a one-shot CLI command reports storage problems itself.
    if (!this.options.enabled || !this.options.schedule) return;
    // In the background: a slow or unreachable store must not delay the host's start.
    this.storage.check().then(
      () => this.logger.log({ event: 'storage.ready', storage: this.storage.type, location: this.storage.location }),
      (error: Error) =>
        this.logger.error({ event: 'storage.unavailable', storage: this.storage.type, location: this.storage.location, error: error.message }),
    );
  }
}
