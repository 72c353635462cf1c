import { Injectable } from '@nestjs/common';
import { Interval, ScheduleModule } from '@nestjs/schedule';
import { createArchivalApp } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { until } from './harness/poll';

/** A host's own interval, counted: ScheduleModule imported twice makes every one of them fire twice. */
@Injectable()
class HostTicker {
  readonly at: number[] = [];
  @Interval('host-ticker', 100)
  tick() {
    this.at.push(Date.now());
  }
}

/** The host owns ScheduleModule: the archival module never imports it, and says so when it is missing. */
describe('the host owns ScheduleModule', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("registers the module's crons in the host's scheduler, once, and the host's own interval fires once per period", async () => {
    const app = await createArchivalApp(db.url, { module: { schedule: true }, host: {
      imports: [ScheduleModule.forRoot()], providers: [HostTicker],
    } });
    try {
      const ticker = app.context.get(HostTicker);
      const at = await until(async () => [...ticker.at], (ticks) => ticks.length >= 5, 'five ticks of the host interval');
      // A second ScheduleModule registers the interval twice: ticks then come in pairs a few ms apart.
      // (Timed from the ticks themselves: the interval starts during init, before the app is handed back.)
      expect(Math.min(...at.slice(1).map((t, i) => t - at[i]))).toBeGreaterThanOrEqual(50);
      const { SchedulerRegistry } = await import('@nestjs/schedule');
      expect(app.context.get(SchedulerRegistry).getCronJobs().size).toBe(4);
    } finally {
      await app.close();
    }
  });

  it('a host that schedules jobs without ScheduleModule gets a clear error at start-up', async () => {
    await expect(createArchivalApp(db.url, { module: { schedule: true } })).rejects.toThrow(/import ScheduleModule.forRoot\(\) in your application module/);
  });
});
