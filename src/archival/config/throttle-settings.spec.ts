import { problemsOf } from '../../../test/harness/configuration-problems';
import { archivalOptionsFromEnv } from './archival-env';
import { resolveArchivalOptions } from './resolve-options';

describe('throttle settings', () => {
  it('pauses on replica lag over 1 s by default; every other signal is off', () => {
    expect(archivalOptionsFromEnv({}).throttle).toEqual({
      maxReplicaLagMs: 1_000, criticalReplicaLagMs: 0, maxActiveBackends: 0, criticalActiveBackends: 0, checkIntervalMs: 1_000, hibernateMs: 60_000,
    });
  });

  it('reads every variable', () => {
    const options = archivalOptionsFromEnv({
      ARCHIVAL_MAX_REPLICA_LAG_MS: '500', ARCHIVAL_CRITICAL_REPLICA_LAG_MS: '30000', ARCHIVAL_MAX_ACTIVE_BACKENDS: '20',
      ARCHIVAL_CRITICAL_ACTIVE_BACKENDS: '80', ARCHIVAL_THROTTLE_QUERY: 'SELECT paused FROM ops.archival_switch',
      ARCHIVAL_THROTTLE_CHECK_MS: '250', ARCHIVAL_HIBERNATE_MS: '120000',
    });
    expect(options.throttle).toEqual({
      maxReplicaLagMs: 500, criticalReplicaLagMs: 30_000, maxActiveBackends: 20, criticalActiveBackends: 80,
      throttleQuery: 'SELECT paused FROM ops.archival_switch', checkIntervalMs: 250, hibernateMs: 120_000,
    });
  });

  it('names each bad variable and value', () => {
    expect(problemsOf(() => archivalOptionsFromEnv({
      ARCHIVAL_MAX_REPLICA_LAG_MS: 'soon', ARCHIVAL_MAX_ACTIVE_BACKENDS: '-1', ARCHIVAL_THROTTLE_CHECK_MS: '0',
      ARCHIVAL_CRITICAL_REPLICA_LAG_MS: '10',
    }))).toEqual([
      'ARCHIVAL_MAX_REPLICA_LAG_MS="soon": expected a whole number',
      'ARCHIVAL_MAX_ACTIVE_BACKENDS=-1: expected a whole number from 0 to 100000 (0: off)',
      'ARCHIVAL_THROTTLE_CHECK_MS=0: expected a whole number from 10 to 600000',
      'ARCHIVAL_CRITICAL_REPLICA_LAG_MS=10: is below ARCHIVAL_MAX_REPLICA_LAG_MS=1000; a critical limit hibernates past the pause limit, so it must be higher',
    ]);
  });

  it('names options given in code by their path', () => {
    expect(problemsOf(() => resolveArchivalOptions({ throttle: { hibernateMs: 1.5, throttleQuery: ' ' } }))).toEqual([
      'throttle.hibernateMs=1.5: expected a whole number from 10 to 86400000',
      'throttle.throttleQuery: expected SQL that returns one boolean, e.g. SELECT count(*) > 50 FROM pg_stat_activity',
    ]);
  });
});
