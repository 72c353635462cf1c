/**
 * One storage probe shared by every health check for a short time: a burst of
 * readiness probes (each replica's kubelet, a load balancer, a dashboard)
 * makes at most one call to the store per TTL, and a store that hangs has one
 * probe in flight, not one per check. Failures are kept for the TTL too, so a
 * store that is down is not asked again on every check.
 */
export type ProbeOutcome = { ok: true; at: Date } | { ok: false; at: Date; error: Error };

export interface ProbeTiming {
  /** An outcome younger than this answers the check without a new probe. */
  ttlMs: number;
  /** The check answers down after this long; the probe goes on and its outcome answers later checks. */
  timeoutMs: number;
}

interface Attempt {
  outcome: Promise<ProbeOutcome>;
  /** Monotonic time it settled; unset while in flight. */
  settledAt?: number;
}

export class CachedProbe {
  private last?: Attempt;

  constructor(
    private readonly probe: () => Promise<void>,
    /** Monotonic milliseconds: a wall-clock jump neither keeps nor drops an outcome. */
    private readonly monotonicNow: () => number = () => performance.now(),
  ) {}

  async outcome(timing: ProbeTiming): Promise<ProbeOutcome> {
    const attempt = this.fresh(timing.ttlMs) ?? this.start();
    if (attempt.settledAt !== undefined) return attempt.outcome;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<ProbeOutcome>((resolve) => {
      timer = setTimeout(() => resolve(failed(new Error(`no answer within ${timing.timeoutMs} ms`))), timing.timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([attempt.outcome, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private fresh(ttlMs: number): Attempt | undefined {
    const last = this.last;
    if (!last || last.settledAt === undefined) return last;
    return this.monotonicNow() - last.settledAt < ttlMs ? last : undefined;
  }

  private start(): Attempt {
    const attempt: Attempt = {
      outcome: this.run().then((outcome) => {
        attempt.settledAt = this.monotonicNow();
        return outcome;
      }),
    };
    this.last = attempt;
    return attempt;
  }

  private async run(): Promise<ProbeOutcome> {
    try {
      await this.probe();
      return { ok: true, at: new Date() };
    } catch (error) {
      return failed(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function failed(error: Error): ProbeOutcome {
  return { ok: false, at: new Date(), error };
}
