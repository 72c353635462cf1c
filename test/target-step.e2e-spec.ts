/**
 * ARCHIVAL_TARGET_STEP_MS: the COPY batch adapts to a target time per step
 * (pt-online-schema-change's --chunk-time). With a 1 ms target no batch of
 * thousands of rows is quick enough, so each batch is half the last until the
 * minimum; without a target every batch is ARCHIVAL_BATCH_SIZE rows.
 */
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { DAY_MS } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { captureLogs } from './harness/log-capture';
import { seedLogs } from './harness/seed';

const ROWS = 12_000;

describe('batch size adapting to ARCHIVAL_TARGET_STEP_MS', () => {
  let db: TestDatabase;
  const apps: ArchivalTestApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db.drop();
  });

  /** The rows of each COPY batch of one run over ROWS rows in one old month. */
  async function batchesOf(targetStepMs: number): Promise<number[]> {
    await db.sql.query(`TRUNCATE flow_execution_logs, archived_partitions CASCADE`);
    const month = new Date(Date.UTC(FIXED_NOW.getUTCFullYear() - 1, 0, 1));
    await seedLogs(db.sql, { rows: ROWS, from: month, now: new Date(month.getTime() + 20 * DAY_MS) });
    const app = await createArchivalApp(db.url, { module: { presets: ['log-archival'], batchSize: 5_000, maxRowsPerFile: 100_000, targetStepMs } });
    apps.push(app);
    const logs = captureLogs();
    logs.install();
    try {
      const report = await app.archival.run('log-archival');
      expect(report).toMatchObject({ status: 'succeeded', rows: ROWS });
    } finally {
      logs.restore();
    }
    return logs.lines
      .filter((l): l is { event: string; rows: number } => typeof l === 'object' && l !== null && (l as { event?: string }).event === 'batch')
      .map((b) => b.rows);
  }

  it('keeps ARCHIVAL_BATCH_SIZE without a target', async () => {
    expect(await batchesOf(0)).toEqual([5_000, 5_000, 2_000]);
  });

  it('halves the batch while each takes longer than the target, down to the minimum', async () => {
    const batches = await batchesOf(1);
    expect(batches.slice(0, 2)).toEqual([5_000, 2_500]);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(ROWS);
    expect(Math.max(...batches.slice(1))).toBeLessThanOrEqual(2_500);
    expect(Math.min(...batches.slice(0, -1))).toBeGreaterThanOrEqual(100);
    expect(batches.length).toBeGreaterThan(10);
  });
});
