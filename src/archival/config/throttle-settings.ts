/**
 * The throttle's options: defaults, the env variables they come from, and
 * their checks, in one place (config/resolve-options.ts and archival-env.ts
 * call in here).
 */
import { THROTTLE_DEFAULTS, ThrottleOptions } from '../throttle/throttle-options';

export const THROTTLE_ENV: Readonly<Record<keyof ThrottleOptions, string>> = {
  maxReplicaLagMs: 'ARCHIVAL_MAX_REPLICA_LAG_MS',
  criticalReplicaLagMs: 'ARCHIVAL_CRITICAL_REPLICA_LAG_MS',
  maxActiveBackends: 'ARCHIVAL_MAX_ACTIVE_BACKENDS',
  criticalActiveBackends: 'ARCHIVAL_CRITICAL_ACTIVE_BACKENDS',
  throttleQuery: 'ARCHIVAL_THROTTLE_QUERY',
  checkIntervalMs: 'ARCHIVAL_THROTTLE_CHECK_MS',
  hibernateMs: 'ARCHIVAL_HIBERNATE_MS',
};

const LIMITS: Record<Exclude<keyof ThrottleOptions, 'throttleQuery'>, [number, number]> = {
  maxReplicaLagMs: [0, 86_400_000],
  criticalReplicaLagMs: [0, 86_400_000],
  maxActiveBackends: [0, 100_000],
  criticalActiveBackends: [0, 100_000],
  checkIntervalMs: [10, 600_000],
  hibernateMs: [10, 86_400_000],
};

/** `named(key)` gives the name a problem is reported under: the env variable, or `throttle.<key>` in code. */
export function resolveThrottle(
  input: Partial<ThrottleOptions> | undefined,
  named: (key: keyof ThrottleOptions) => string,
  problems: string[],
): ThrottleOptions {
  const options: ThrottleOptions = { ...THROTTLE_DEFAULTS, ...definedOnly(input ?? {}) };
  for (const [key, [min, max]] of Object.entries(LIMITS) as Array<[keyof typeof LIMITS, [number, number]]>) {
    const value = options[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${named(key)}=${JSON.stringify(value)}: expected a whole number from ${min} to ${max}${min === 0 ? ' (0: off)' : ''}`);
    }
  }
  const critical = (max: 'maxReplicaLagMs' | 'maxActiveBackends', crit: 'criticalReplicaLagMs' | 'criticalActiveBackends') => {
    if (options[crit] > 0 && options[max] > 0 && options[crit] < options[max]) {
      problems.push(`${named(crit)}=${options[crit]}: is below ${named(max)}=${options[max]}; a critical limit hibernates past the pause limit, so it must be higher`);
    }
  };
  critical('maxReplicaLagMs', 'criticalReplicaLagMs');
  critical('maxActiveBackends', 'criticalActiveBackends');
  if (options.throttleQuery !== undefined && (typeof options.throttleQuery !== 'string' || options.throttleQuery.trim() === '')) {
    problems.push(`${named('throttleQuery')}: expected SQL that returns one boolean, e.g. SELECT count(*) > 50 FROM pg_stat_activity`);
  }
  return options;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
