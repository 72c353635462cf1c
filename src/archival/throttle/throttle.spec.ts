import { SignalReading } from './database-signals';
import { judge, Throttle, ThrottleReport, Verdict } from './throttle';
import { THROTTLE_DEFAULTS, ThrottleOptions } from './throttle-options';

const calm: SignalReading = { replicaLagMs: 0, activeBackends: 1, throttleQuery: false, unreadableStandbys: 0 };

function harness(options: Partial<ThrottleOptions>, readings: Array<Partial<SignalReading>>, onSleep = () => {}) {
  let clock = 0;
  const events: string[] = [];
  const slept: number[] = [];
  const queue = [...readings];
  const report: ThrottleReport = {
    paused: (v: Verdict) => events.push(`paused ${v.reason}${v.hibernate ? ' (hibernate)' : ''}: ${v.detail}`),
    waited: (reason, seconds) => events.push(`waited ${reason} ${seconds}s`),
    resumed: (reason, seconds) => events.push(`resumed ${reason} after ${seconds}s`),
    unreadable: (n) => events.push(`unreadable ${n}`),
  };
  let reads = 0;
  const throttle = new Throttle(
    { ...THROTTLE_DEFAULTS, ...options },
    async () => {
      reads++;
      return { ...calm, ...(queue.shift() ?? {}) };
    },
    report,
    async (ms, signal) => {
      slept.push(ms);
      clock += ms;
      onSleep();
      signal?.throwIfAborted();
    },
    () => clock,
  );
  return { throttle, events, slept, reads: () => reads, advance: (ms: number) => (clock += ms) };
}

/** A throttle whose first reading lags and whose one wait lasts until `release()`. */
function laggingOnce() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const readings = [{ replicaLagMs: 5_000 }, {}];
  const throttle = new Throttle(
    { ...THROTTLE_DEFAULTS, checkIntervalMs: 1_000 },
    async () => ({ ...calm, ...(readings.shift() ?? {}) }),
    { paused: () => undefined, waited: () => undefined, resumed: () => undefined, unreadable: () => undefined },
    () => gate,
    () => 0,
  );
  return { throttle, release };
}

describe('Throttle', () => {
  it('waits one check interval at a time while the replica lags, then resumes', async () => {
    const t = harness({ maxReplicaLagMs: 500, checkIntervalMs: 200 }, [{ replicaLagMs: 900 }, { replicaLagMs: 700 }, { replicaLagMs: 10 }]);
    await t.throttle.pass();
    expect(t.slept).toEqual([200, 200]);
    expect(t.events).toEqual([
      'paused replica_lag: replica lag 900 ms > ARCHIVAL_MAX_REPLICA_LAG_MS=500',
      'waited replica_lag 0.2s',
      'waited replica_lag 0.2s',
      'resumed replica_lag after 0.4s',
    ]);
  });

  it('hibernates past a critical limit instead of aborting', async () => {
    const t = harness({ maxActiveBackends: 10, criticalActiveBackends: 40, hibernateMs: 60_000 }, [{ activeBackends: 50 }, { activeBackends: 20 }, {}]);
    await t.throttle.pass();
    expect(t.slept).toEqual([60_000, 1_000]);
    expect(t.events[0]).toBe('paused active_backends (hibernate): 50 active backends > ARCHIVAL_CRITICAL_ACTIVE_BACKENDS=40');
    expect(t.events).toContain('paused active_backends: 20 active backends > ARCHIVAL_MAX_ACTIVE_BACKENDS=10');
    expect(t.events.at(-1)).toBe('resumed active_backends after 1s');
  });

  it('reads the signals at most once per check interval while all is well', async () => {
    const t = harness({ checkIntervalMs: 1_000 }, []);
    await t.throttle.pass();
    await t.throttle.pass();
    t.advance(999);
    await t.throttle.pass();
    expect(t.reads()).toBe(1);
    t.advance(1);
    await t.throttle.pass();
    expect(t.reads()).toBe(2);
  });

  it('holds a second step that comes to the gate while the first waits, until the wait ends', async () => {
    const { throttle, release } = laggingOnce();
    const order: string[] = [];
    const first = throttle.pass().then(() => order.push('first'));
    await new Promise((resolve) => setImmediate(resolve));
    const second = throttle.pass().then(() => order.push('second'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });

  it('a step that joins a wait under way stops on its own signal; the wait goes on for the first', async () => {
    const { throttle, release } = laggingOnce();
    const first = throttle.pass();
    await new Promise((resolve) => setImmediate(resolve));
    const stop = new AbortController();
    const second = throttle.pass(stop.signal);
    stop.abort(new Error('the part beside it failed'));
    await expect(second).rejects.toThrow('the part beside it failed');
    release();
    await expect(first).resolves.toBeUndefined();
  });

  it('reads nothing when every signal is off', async () => {
    const t = harness({ maxReplicaLagMs: 0 }, [{ replicaLagMs: 99_999 }]);
    await t.throttle.pass();
    expect(t.reads()).toBe(0);
  });

  it('pauses while the throttle query says so, and says once that standbys cannot be read', async () => {
    const t = harness({ throttleQuery: 'SELECT true' }, [{ throttleQuery: true, unreadableStandbys: 2 }, { unreadableStandbys: 2 }]);
    await t.throttle.pass();
    expect(t.events).toEqual(['unreadable 2', 'paused throttle_query: ARCHIVAL_THROTTLE_QUERY returned true', 'waited throttle_query 1s', 'resumed throttle_query after 1s']);
  });

  it('stops waiting when the run is stopped', async () => {
    const stop = new AbortController();
    const t = harness({}, [{ replicaLagMs: 5_000 }, { replicaLagMs: 5_000 }], () => stop.abort(new Error('shutting down')));
    await expect(t.throttle.pass(stop.signal)).rejects.toThrow('shutting down');
    expect(t.slept).toEqual([1_000]);
  });
});

describe('judge', () => {
  it('takes critical limits before the others, and a 0 limit is off', () => {
    const options = { ...THROTTLE_DEFAULTS, maxReplicaLagMs: 100, criticalReplicaLagMs: 1_000 };
    expect(judge(options, { ...calm, replicaLagMs: 2_000 })).toMatchObject({ reason: 'replica_lag', hibernate: true });
    expect(judge(options, { ...calm, replicaLagMs: 200 })).toMatchObject({ reason: 'replica_lag', hibernate: false });
    expect(judge(options, { ...calm, replicaLagMs: 100 })).toBeUndefined();
    expect(judge({ ...options, maxActiveBackends: 0 }, { ...calm, activeBackends: 500 })).toBeUndefined();
  });
});
