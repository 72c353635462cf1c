/**
 * Makes each run's Throttle: its signals read on the module's pool, its
 * pauses logged (reason and reading, then how long), counted in
 * archival_throttled_seconds_total{job, reason} and shown in the run's
 * progress (GET runs/:id, the CLI's bar, the dashboard).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ARCHIVAL_OPTIONS } from '../archival.constants';
import { ArchivalOptions } from '../archival-options';
import { ArchivalDatabase } from '../engine/archival-database';
import { sleep } from '../engine/pacer';
import { RunProgress } from '../engine/run-progress';
import { ArchivalMetrics } from '../metrics/archival.metrics';
import { readSignals } from './database-signals';
import { Throttle } from './throttle';

@Injectable()
export class RunThrottles {
  private readonly logger = new Logger('ArchivalThrottle');

  constructor(
    private readonly db: ArchivalDatabase,
    @Inject(ARCHIVAL_OPTIONS) private readonly options: ArchivalOptions,
    private readonly metrics: ArchivalMetrics,
  ) {}

  forRun(job: string, live?: RunProgress): Throttle {
    const { throttle } = this.options;
    return new Throttle(
      throttle,
      () => this.db.withClient((client) => readSignals(client, throttle.throttleQuery)),
      {
        paused: (verdict) => {
          this.logger.warn(`job ${job} ${verdict.hibernate ? 'hibernates' : 'pauses'}: ${verdict.detail}`);
          live?.throttled(`${verdict.reason}: ${verdict.detail}`);
        },
        waited: (reason, seconds) => this.metrics.throttled(job, reason, seconds),
        resumed: (reason, seconds) => {
          this.logger.log(`job ${job} resumes after ${seconds.toFixed(1)} s throttled (${reason})`);
          live?.throttled(null);
        },
        unreadable: (standbys) =>
          this.logger.warn(`job ${job}: the lag of ${standbys} standby(s) cannot be read by this role; grant it pg_monitor so replica lag can throttle the run`),
      },
      sleep,
    );
  }
}
