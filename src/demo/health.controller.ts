/**
 * The demo host's GET /health with @nestjs/terminus: the database answers,
 * archive storage is reachable and writable, and no archival job's last run
 * failed. 503 with the details when any is down.
 */
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ArchivalHealthIndicator } from '../archival/health/archival.health';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly archival: ArchivalHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database'),
      () => this.archival.storageWritable('storage'),
      () => this.archival.lastRuns('archival_jobs'),
    ]);
  }
}
