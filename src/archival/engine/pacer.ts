import { BatchSizer } from './batch-sizer';

/** What a step waits on before it starts: the run's throttle (throttle/throttle.ts). */
export interface ThrottleGate {
  pass(signal?: AbortSignal): Promise<void>;
  /** Ends what the gate holds (its session), once the run is over. */
  close?(): Promise<void>;
}

/**
 * How hard a run presses on the database and the host: after each step of
 * work (a batch read, a chunk of deletes, a stretch of read-back) the run
 * rests for ARCHIVAL_SLEEP_BETWEEN_BATCHES_MS plus ARCHIVAL_NICE_RATIO times
 * the step's duration — gh-ost's "nice ratio": 1 means every 100 ms of work is
 * followed by 100 ms of rest, so the run takes about twice as long and leaves
 * the CPU, disk and WAL to the API in between.
 *
 * A paced run also works one step at a time: it reads a batch whole before
 * encoding it, verifies and purges a part before reading the next, and deletes
 * in batches of ARCHIVAL_BATCH_SIZE rows.
 *
 * Paced or not, every step first passes the run's throttle (throttle/throttle.ts),
 * which waits while the database reports too much load.
 */
export class Pacer {
  constructor(
    private readonly niceRatio: number,
    private readonly sleepMs: number,
    private readonly signal?: AbortSignal,
    private readonly throttle?: ThrottleGate,
    /** ARCHIVAL_TARGET_STEP_MS: the length of each COPY step, adapted to the target time (batch-sizer.ts). */
    readonly sizer?: BatchSizer,
  ) {}

  /**
   * Waits while the run's throttle says the database is too busy (before a
   * step, outside any transaction); `signal`, for a step that can be stopped
   * on its own (one of two parts in flight), instead of the run's.
   */
  async gate(signal: AbortSignal | undefined = this.signal): Promise<void> {
    await this.throttle?.pass(signal);
  }

  /** Whether any rest is configured (a paced run trades speed for a light footprint). */
  get paced(): boolean {
    return this.niceRatio > 0 || this.sleepMs > 0;
  }

  async close(): Promise<void> {
    await this.throttle?.close?.();
  }

  /** Passes the throttle, then rests after a step that started at `startedAt` (a `performance.now()` reading). */
  async rest(startedAt: number, signal?: AbortSignal): Promise<void> {
    // An undefined signal takes each one's default, the run's.
    await this.gate(signal);
    await this.pause(startedAt, signal);
  }

  /**
   * The rest alone, without the throttle: between a paced purge's delete
   * batches, inside its transaction, where waiting out load (maybe for long)
   * would hold its row locks; the purge passed the throttle before it began.
   */
  async pause(startedAt: number, signal: AbortSignal | undefined = this.signal): Promise<void> {
    if (!this.paced) return;
    const ms = this.sleepMs + this.niceRatio * (performance.now() - startedAt);
    await sleep(ms, signal);
  }

  /**
   * For work that flows continuously (a stream): rests once at least
   * `stepMs` of work has passed since the last rest.
   */
  async restEvery(stepMs: number, state: { since: number }): Promise<void> {
    if (!this.paced || performance.now() - state.since < stepMs) return;
    await this.rest(state.since);
    state.since = performance.now();
  }
}

export const UNPACED = new Pacer(0, 0);

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
