import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { STORAGE_PROVIDER, StorageProvider } from '../archival/storage/storage-provider.interface';

/** The demo host's liveness: database reachable, archive storage listable. */
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource, @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider) {}

  @Get()
  async check() {
    const status: Record<string, string> = {};
    try {
      await this.dataSource.query('SELECT 1');
      status.database = 'up';
    } catch (error) {
      status.database = `down: ${(error as Error).message}`;
    }
    try {
      for await (const _ of this.storage.list('')) break;
      status.storage = 'up';
    } catch (error) {
      status.storage = `down: ${(error as Error).message}`;
    }
    const ok = Object.values(status).every((s) => s === 'up');
    if (!ok) throw new ServiceUnavailableException({ status: 'error', details: status });
    return { status: 'ok', details: status, storage: this.storage.location };
  }
}
