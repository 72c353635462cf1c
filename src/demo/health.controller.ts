/**
 * The demo host's health with @nestjs/terminus, split the way Kubernetes uses it:
 * - GET /health (liveness): the process answers and so does its database. A
 *   failed archival run or an unreachable archive store never fails it: a
 *   restart would mend neither.
 * - GET /health/ready (readiness): the database, the archive store (a cached,
 *   read-only probe) and the archival jobs, whose failed last runs are listed
 *   in the body without taking the pod out of service.
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
  live() {
    return this.health.check([() => this.database.pingCheck('database')]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database'),
      () => this.archival.storageReachable('storage'),
      () => this.archival.lastRuns('archival_jobs'),
    ]);
  }
}
