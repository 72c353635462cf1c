import { Injectable } from '@nestjs/common';
import { ArchivalOptions, JobSettings } from '../archival-options';
import { TableArchiver } from './table.archiver';

/** memory_chunks whose expires_at has passed, archived as expired_chunks, then deleted. */
@Injectable()
export class MemoryChunkArchiver extends TableArchiver {
  readonly job = 'memory-cleanup';
  readonly spec = {
    table: 'memory_chunks',
    key: 'id',
    time: 'expires_at',
    eligibility: 'expired' as const,
    archiveName: 'expired_chunks',
  };

  defaults(options: ArchivalOptions): JobSettings {
    return { enabled: options.memoryCleanupEnabled, cron: options.memoryCleanupCron, retentionDays: 0 };
  }
}
