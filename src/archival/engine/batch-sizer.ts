/**
 * ARCHIVAL_TARGET_STEP_MS: the COPY batch size adapts so that each batch
 * takes about the target time, as pt-online-schema-change's `--chunk-time`
 * does. The rate (rows per ms) is an exponentially weighted average of the
 * batches so far, so one slow or fast batch moves the size only part of the
 * way; each step at most doubles or halves it, and it stays within
 * [MIN_BATCH, maxBatch]. With no target (0) the size stays ARCHIVAL_BATCH_SIZE.
 * One sizer serves a table's whole run, so later parts start from what the
 * earlier ones learned.
 */
export const MIN_BATCH = 100;
const WEIGHT = 0.5;

export class BatchSizer {
  private rowsPerMs: number | undefined;
  private current: number;

  constructor(
    initial: number,
    private readonly targetStepMs: number,
    private readonly maxBatch = 1_000_000,
  ) {
    this.current = initial;
  }

  get size(): number {
    return this.current;
  }

  /** After a batch of `rows` that took `ms`; short last batches (fewer rows than asked) teach nothing. */
  observe(rows: number, ms: number, asked: number): void {
    if (this.targetStepMs <= 0 || rows < asked || rows === 0) return;
    const rate = rows / Math.max(ms, 1);
    this.rowsPerMs = this.rowsPerMs === undefined ? rate : WEIGHT * rate + (1 - WEIGHT) * this.rowsPerMs;
    const wanted = Math.round(this.rowsPerMs * this.targetStepMs);
    const bounded = Math.min(Math.max(wanted, this.current / 2), this.current * 2);
    this.current = Math.round(Math.min(Math.max(bounded, MIN_BATCH), this.maxBatch));
  }
}
