import { CachedProbe } from './cached-probe';

describe('CachedProbe', () => {
  let now: number;
  let calls: number;
  const clock = () => now;
  const timing = { ttlMs: 30_000, timeoutMs: 1_000 };

  beforeEach(() => {
    now = 1_000;
    calls = 0;
  });

  it('answers a burst of concurrent checks with one probe', async () => {
    let release!: () => void;
    const probe = new CachedProbe(() => {
      calls++;
      return new Promise<void>((resolve) => (release = resolve));
    }, clock);
    const checks = Array.from({ length: 20 }, () => probe.outcome(timing));
    release();
    const outcomes = await Promise.all(checks);
    expect(calls).toBe(1);
    expect(outcomes.every((o) => o.ok)).toBe(true);
  });

  it('probes again only once the last outcome is older than the TTL', async () => {
    const probe = new CachedProbe(async () => void calls++, clock);
    await probe.outcome(timing);
    now += 29_999;
    await probe.outcome(timing);
    expect(calls).toBe(1);
    now += 1;
    await probe.outcome(timing);
    expect(calls).toBe(2);
    // A caller may ask for a shorter TTL: 0 always probes.
    await probe.outcome({ ...timing, ttlMs: 0 });
    expect(calls).toBe(3);
  });

  it('keeps a failure for the TTL too, so a store that is down is not asked on every check', async () => {
    const probe = new CachedProbe(async () => {
      calls++;
      throw new Error('bucket gone');
    }, clock);
    const first = await probe.outcome(timing);
    const second = await probe.outcome(timing);
    expect(calls).toBe(1);
    expect(first).toMatchObject({ ok: false, error: { message: 'bucket gone' } });
    expect(second).toBe(first);
  });

  it('answers down when the probe hangs past the timeout, keeps that one probe in flight, and takes its outcome when it comes', async () => {
    let release!: () => void;
    const probe = new CachedProbe(() => {
      calls++;
      return new Promise<void>((resolve) => (release = resolve));
    }, clock);
    const late = await probe.outcome({ ...timing, timeoutMs: 10 });
    expect(late).toMatchObject({ ok: false, error: { message: 'no answer within 10 ms' } });
    now += 60_000; // in flight: neither fresh nor stale, still the one probe
    expect(await probe.outcome({ ...timing, timeoutMs: 10 })).toMatchObject({ ok: false });
    release();
    expect(await probe.outcome(timing)).toMatchObject({ ok: true });
    expect(calls).toBe(1);
  });

  it('turns a probe that throws synchronously into a failed outcome', async () => {
    const probe = new CachedProbe(() => {
      throw new Error('no client');
    }, clock);
    expect(await probe.outcome(timing)).toMatchObject({ ok: false, error: { message: 'no client' } });
  });
});
