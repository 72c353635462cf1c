import { BatchSizer, MIN_BATCH } from './batch-sizer';

describe('BatchSizer (ARCHIVAL_TARGET_STEP_MS)', () => {
  it('keeps ARCHIVAL_BATCH_SIZE without a target', () => {
    const sizer = new BatchSizer(10_000, 0);
    sizer.observe(10_000, 900, 10_000);
    expect(sizer.size).toBe(10_000);
  });

  it('shrinks toward the target step, at most halving per batch', () => {
    const sizer = new BatchSizer(10_000, 50);
    sizer.observe(10_000, 1_000, 10_000); // 10 rows/ms: 500 rows would take 50 ms
    expect(sizer.size).toBe(5_000);
    sizer.observe(5_000, 500, 5_000);
    expect(sizer.size).toBe(2_500);
    sizer.observe(2_500, 250, 2_500);
    sizer.observe(1_250, 125, 1_250);
    sizer.observe(625, 62, 625);
    expect(Math.abs(sizer.size - 500)).toBeLessThan(10);
  });

  it('grows when batches are quick, at most doubling, up to its bound', () => {
    const sizer = new BatchSizer(1_000, 500, 3_000);
    sizer.observe(1_000, 10, 1_000); // 100 rows/ms: 50,000 rows per 500 ms
    expect(sizer.size).toBe(2_000);
    sizer.observe(2_000, 20, 2_000);
    expect(sizer.size).toBe(3_000);
  });

  it('moves only part of the way after one odd batch, and ignores a short last batch', () => {
    const sizer = new BatchSizer(1_000, 100);
    sizer.observe(1_000, 100, 1_000); // 10 rows/ms: on target
    expect(sizer.size).toBe(1_000);
    sizer.observe(1_000, 1_000, 1_000); // one batch 10× slower: the average rate halves, not tenfold
    expect(sizer.size).toBe(550);
    sizer.observe(3, 1_000, 550);
    expect(sizer.size).toBe(550);
  });

  it('never goes below the minimum batch', () => {
    const sizer = new BatchSizer(200, 1);
    sizer.observe(200, 10_000, 200);
    expect(sizer.size).toBe(MIN_BATCH);
  });
});
