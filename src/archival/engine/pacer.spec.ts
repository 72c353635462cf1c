import { Pacer, UNPACED } from './pacer';

describe('Pacer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** How far (fake) time had to run for `promise` to settle. */
  async function restedMs(promise: Promise<void>): Promise<number> {
    const before = Date.now();
    await jest.runAllTimersAsync();
    await promise;
    return Date.now() - before;
  }

  it('rests the fixed sleep plus the nice ratio times the step', async () => {
    const pacer = new Pacer(2, 5);
    const started = performance.now();
    jest.advanceTimersByTime(40); // the step took 40 ms
    expect(await restedMs(pacer.rest(started))).toBe(85);
  });

  it('does not rest when nothing is configured', async () => {
    expect(UNPACED.paced).toBe(false);
    const started = performance.now();
    jest.advanceTimersByTime(40);
    expect(await restedMs(UNPACED.rest(started))).toBe(0);
  });

  it('rests in a stream only once a step of work has passed', async () => {
    const pacer = new Pacer(1, 0);
    const state = { since: performance.now() };
    jest.advanceTimersByTime(20);
    expect(await restedMs(pacer.restEvery(50, state))).toBe(0);
    jest.advanceTimersByTime(40);
    expect(await restedMs(pacer.restEvery(50, state))).toBe(60);
    expect(state.since).toBe(performance.now());
  });

  it('stops resting when the run is told to stop', async () => {
    const controller = new AbortController();
    const pacer = new Pacer(0, 60_000, controller.signal);
    const rest = pacer.rest(performance.now());
    controller.abort(new Error('shutting down'));
    await expect(rest).rejects.toThrow('shutting down');
  });
});

describe('Pacer and the throttle', () => {
  it('passes the throttle before a rest, but never in pause() (inside a purge transaction)', async () => {
    const passed: string[] = [];
    const pacer = new Pacer(0, 1, undefined, { pass: async () => void passed.push('gate') });
    await pacer.pause(performance.now());
    expect(passed).toEqual([]);
    await pacer.rest(performance.now());
    expect(passed).toEqual(['gate']);
  });
});
