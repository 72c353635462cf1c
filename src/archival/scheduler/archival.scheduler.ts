/**
 * Registers each enabled job's cron with @nestjs/schedule's SchedulerRegistry.
 * A tick that finds its job still running is skipped and logged by the
 * runner (never overlapped); failures are logged and recorded, never thrown
 * into the timer.
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { ArchivalOptions } from '../archival-options';
import { ARCHIVAL_OPTIONS } from '../archival.constants';
import { ConfigurationError } from '../archival.errors';
import { ArchivalService } from '../archival.service';

@Injectable()
export class ArchivalScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ArchivalScheduler.name);
  private readonly names: string[] = [];

  constructor(
    private readonly archival: ArchivalService,
    @Inject(ARCHIVAL_OPTIONS) private readonly options: ArchivalOptions,
    // The host's: ScheduleModule.forRoot() is imported by the application, never by this module.
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap() {
    if (!this.options.schedule || !this.options.enabled) return;
    if (!this.registry) {
      throw new ConfigurationError([
        'schedule: ArchivalModule registers its crons with @nestjs/schedule; import ScheduleModule.forRoot() in your application module (it belongs to the host), or set schedule: false',
      ]);
    }
    const registry = this.registry;
    for (const job of this.archival.jobs()) {
      if (!job.enabled) continue;
      const cron = CronJob.from({
        cronTime: job.cron,
        timeZone: this.options.timezone,
        onTick: () => this.tick(job.name),
        start: true,
      });
      const name = `archival:${job.name}`;
      registry.addCronJob(name, cron as never);
      this.names.push(name);
      this.logger.log({ event: 'job.scheduled', job: job.name, cron: job.cron, timezone: this.options.timezone, nextRun: cron.nextDate().toISO() });
    }
  }

  private async tick(job: string) {
    try {
      await this.archival.run(job, { trigger: 'cron' });
    } catch (error) {
      this.logger.error({ event: 'tick.failed', job, error: (error as Error).message });
    }
  }

  onApplicationShutdown() {
    // @nestjs/schedule may have stopped and removed them already.
    for (const name of this.names.splice(0)) {
      if (!this.registry?.doesExist('cron', name)) continue;
      this.registry.getCronJob(name).stop();
      this.registry.deleteCronJob(name);
    }
  }
}
