/**
 * The gate a run passes before each step of work (a batch read, a purge):
 * it reads the database's signals at most once per check interval and, while
 * one is over its limit, waits — a pause of one interval at a time, or a
 * hibernation of `hibernateMs` past a critical limit — then reads them again.
 * A throttled run never aborts for load: it resumes where it stopped, or ends
 * when its signal aborts (shutdown). Every pause is reported with its reason
 * (logged, and counted in archival_throttled_seconds_total).
 */
import { SignalReading, SignalSource } from './database-signals';
import { ThrottleOptions, ThrottleReason } from './throttle-options';

export interface Verdict {
  reason: ThrottleReason;
  /** What was read and the limit it crossed, for the log. */
  detail: string;
  hibernate: boolean;
}

export interface ThrottleReport {
  paused(verdict: Verdict): void;
  /** Time spent waiting for `reason`, reported after each wait. */
  waited(reason: ThrottleReason, seconds: number): void;
  resumed(reason: ThrottleReason, seconds: number): void;
  /** Standbys' lags cannot be read by this role (pg_monitor missing): said once per run. */
  unreadable(standbys: number): void;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The first signal over its limit, critical limits first; undefined when all is well. */
export function judge(options: ThrottleOptions, reading: SignalReading): Verdict | undefined {
  const over = (value: number, limit: number) => limit > 0 && value > limit;
  const lag = `replica lag ${Math.round(reading.replicaLagMs)} ms`;
  const backends = `${reading.activeBackends} active backends`;
  if (over(reading.replicaLagMs, options.criticalReplicaLagMs)) {
    return { reason: 'replica_lag', detail: `${lag} > ARCHIVAL_CRITICAL_REPLICA_LAG_MS=${options.criticalReplicaLagMs}`, hibernate: true };
  }
  if (over(reading.activeBackends, options.criticalActiveBackends)) {
    return { reason: 'active_backends', detail: `${backends} > ARCHIVAL_CRITICAL_ACTIVE_BACKENDS=${options.criticalActiveBackends}`, hibernate: true };
  }
  if (over(reading.replicaLagMs, options.maxReplicaLagMs)) {
    return { reason: 'replica_lag', detail: `${lag} > ARCHIVAL_MAX_REPLICA_LAG_MS=${options.maxReplicaLagMs}`, hibernate: false };
  }
  if (over(reading.activeBackends, options.maxActiveBackends)) {
    return { reason: 'active_backends', detail: `${backends} > ARCHIVAL_MAX_ACTIVE_BACKENDS=${options.maxActiveBackends}`, hibernate: false };
  }
  if (reading.throttleQuery) return { reason: 'throttle_query', detail: 'ARCHIVAL_THROTTLE_QUERY returned true', hibernate: false };
  return undefined;
}

export function throttleEnabled(options: ThrottleOptions): boolean {
  const limits = [options.maxReplicaLagMs, options.criticalReplicaLagMs, options.maxActiveBackends, options.criticalActiveBackends];
  return limits.some((limit) => limit > 0) || options.throttleQuery !== undefined;
}

export class Throttle {
  private checkedAt = -Infinity;
  private warned = false;
  /** The wait under way: every step that comes to the gate meanwhile waits with it (a purge while a batch read is paused). */
  private waiting: Promise<void> | undefined;

  constructor(
    private readonly options: ThrottleOptions,
    private readonly read: SignalSource,
    private readonly report: ThrottleReport,
    private readonly sleep: Sleep,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Returns once no signal is over its limit; throws only if the signal aborts or a reading fails. */
  async pass(signal?: AbortSignal): Promise<void> {
    if (!throttleEnabled(this.options)) return;
    // A wait already under way is shared, but each caller stops on its own signal.
    if (this.waiting) return untilAborted(this.waiting, signal);
    if (this.now() - this.checkedAt < this.options.checkIntervalMs) return;
    this.waiting = this.check(signal).finally(() => (this.waiting = undefined));
    return this.waiting;
  }

  private async check(signal?: AbortSignal): Promise<void> {
    let paused: { verdict: Verdict; since: number } | undefined;
    for (;;) {
      signal?.throwIfAborted();
      const reading = await this.read();
      this.checkedAt = this.now();
      if (reading.unreadableStandbys > 0 && !this.warned) {
        this.warned = true;
        this.report.unreadable(reading.unreadableStandbys);
      }
      const verdict = judge(this.options, reading);
      if (!verdict) {
        if (paused) this.report.resumed(paused.verdict.reason, (this.now() - paused.since) / 1000);
        return;
      }
      if (!paused || paused.verdict.reason !== verdict.reason || paused.verdict.hibernate !== verdict.hibernate) {
        if (paused) this.report.resumed(paused.verdict.reason, (this.now() - paused.since) / 1000);
        paused = { verdict, since: this.now() };
        this.report.paused(verdict);
      }
      const started = this.now();
      await this.sleep(verdict.hibernate ? this.options.hibernateMs : this.options.checkIntervalMs, signal);
      this.report.waited(verdict.reason, (this.now() - started) / 1000);
    }
  }
}

/** `promise`, or the signal's reason as soon as it aborts (the promise itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}
