/**
 * Makes each run's Throttle: its signals read on a session of its own,
 * outside the pool (a step asks the throttle while it holds a pooled
 * connection: with the pool's last connection taken, reading on the pool
 * would wait forever), opened at the first reading and ended with the run; its
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
import { readSignals, SignalSource } from './database-signals';
import { Throttle } from './throttle';

@Injectable()
export class RunThrottles {
  private readonly logger = new Logger('ArchivalThrottle');

  constructor(
    private readonly db: ArchivalDatabase,
    @Inject(ARCHIVAL_OPTIONS) private readonly options: ArchivalOptions,
    private readonly metrics: ArchivalMetrics,
  ) {}

  forRun(job: string, live?: RunProgress): Throttle & { close(): Promise<void> } {
    const { throttle } = this.options;
    const session = this.signalSession(throttle.throttleQuery);
    const gate = new Throttle(
      throttle,
      session.read,
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
    return Object.assign(gate, { close: session.close });
  }

  /** One session for the run's readings; a session that failed is ended, and the next reading opens another. */
  private signalSession(throttleQuery: string | undefined): { read: SignalSource; close(): Promise<void> } {
    let session: ReturnType<ArchivalDatabase['openSession']> | undefined;
    const close = async () => {
      const open = session;
      session = undefined;
      await open?.then((client) => client.end()).catch(() => undefined);
    };
    const read: SignalSource = async () => {
      session ??= this.db.openSession();
      try {
        return await readSignals(await session, throttleQuery);
      } catch (error) {
        await close();
        throw error;
      }
    };
    return { read, close };
  }
}
