/**
 * When a run pauses for the database's sake (issue: gentle on the API), read
 * from what PostgreSQL reports rather than a fixed rest — as pt-archiver's
 * `--max-lag` and gh-ost's `--max-load`, `--throttle-query` and
 * `--critical-load` do. 0 switches a signal off.
 */
export interface ThrottleOptions {
  /** Pause while any streaming replica's replay lag (pg_stat_replication on the primary) is over this. */
  maxReplicaLagMs: number;
  /** Hibernate (pause `hibernateMs` at a time) while the replay lag is over this. */
  criticalReplicaLagMs: number;
  /** Pause while more backends than this are active on the server (the module's own not counted). */
  maxActiveBackends: number;
  /** Hibernate while more backends than this are active. */
  criticalActiveBackends: number;
  /** The host's own SQL, run read-only; pause while its single value is true. */
  throttleQuery?: string;
  /** How often the signals are read: at most once per interval while running, once per interval while paused. */
  checkIntervalMs: number;
  /** How long one hibernation lasts before the signals are read again. */
  hibernateMs: number;
}

export const THROTTLE_DEFAULTS: ThrottleOptions = {
  maxReplicaLagMs: 1_000,
  criticalReplicaLagMs: 0,
  maxActiveBackends: 0,
  criticalActiveBackends: 0,
  checkIntervalMs: 1_000,
  hibernateMs: 60_000,
};

/** Why a run waits; also the `reason` label of archival_throttled_seconds_total. */
export type ThrottleReason = 'replica_lag' | 'active_backends' | 'throttle_query';
