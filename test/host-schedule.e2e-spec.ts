import { Injectable } from '@nestjs/common';
import { Interval, ScheduleModule } from '@nestjs/schedule';
import { createArchivalApp } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { until } from './harness/poll';

/** A host's own interval, counted: ScheduleModule imported twice makes every one of them fire twice. */
@Injectable()
class HostTicker {
  ticks = 0;
  @Interval('host-ticker', 100)
  tick() {
    this.ticks++;
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
    const app = await createArchivalApp(db.url, { schedule: true }, undefined, undefined, false, undefined, {
      imports: [ScheduleModule.forRoot()], providers: [HostTicker],
    });
    try {
      const ticker = app.context.get(HostTicker);
      const started = Date.now();
      await until(async () => ticker.ticks, (ticks) => ticks >= 5, 'five ticks of the host interval');
      // At one tick per 100 ms, five ticks take at least ~500 ms; a second ScheduleModule would double the rate.
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      const { SchedulerRegistry } = await import('@nestjs/schedule');
      expect(app.context.get(SchedulerRegistry).getCronJobs().size).toBe(4);
    } finally {
      await app.close();
    }
  });

  it('a host that schedules jobs without ScheduleModule gets a clear error at start-up', async () => {
    await expect(createArchivalApp(db.url, { schedule: true })).rejects.toThrow(/import ScheduleModule.forRoot\(\) in your application module/);
  });
});
