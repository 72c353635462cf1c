import { PartPipeline, PipelineSteps } from './part-pipeline';

/** A step the test finishes by hand: `started` says it began, `finish`/`fail` end it. */
class Gate {
  started = false;
  private resolve!: () => void;
  private reject!: (error: Error) => void;
  readonly done = new Promise<void>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
  start(): Promise<void> {
    this.started = true;
    return this.done;
  }
  finish(): void {
    this.resolve();
  }
  fail(error: Error): void {
    this.reject(error);
  }
}

/** Lets every callback already queued run (no timers). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function pipeline(options: { paced?: boolean; parts: string[] }) {
  const seals = new Map(options.parts.map((p) => [p, new Gate()]));
  const purges = new Map(options.parts.map((p) => [p, new Gate()]));
  const events: string[] = [];
  const drops: { partition: string; parts: string[] }[] = [];
  const stop = new AbortController();
  const steps: PipelineSteps<string, string, string> = {
    seal: (part) => (events.push(`seal ${part}`), seals.get(part)!.start()),
    purge: async (part) => {
      events.push(`purge ${part}`);
      await purges.get(part)!.start();
      return part;
    },
    drop: async (partition, parts) => {
      events.push(`drop ${partition}`);
      drops.push({ partition, parts });
      return parts;
    },
    purged: (summaries) => events.push(...summaries.map((s) => `purged ${s}`)),
  };
  const run = new PartPipeline(steps, { paced: options.paced ?? false, signal: stop.signal });
  return { run, seals, purges, events, drops, stop };
}

// A pipeline that waits where it should not would hang: fail fast instead.
jest.setTimeout(5_000);

describe('PartPipeline', () => {
  it('seals parts one at a time in the order written, while the next part is written', async () => {
    const { run, seals, purges } = pipeline({ parts: ['1', '2'] });
    await run.add('1'); // returns at once: the writer goes on with part 2 while part 1 seals
    expect(seals.get('1')!.started).toBe(true);
    const second = run.add('2');
    await settle();
    expect(seals.get('2')!.started).toBe(false); // after part 1's seal, never beside it
    seals.get('1')!.finish();
    await settle();
    expect(seals.get('2')!.started).toBe(true);
    expect(purges.get('1')!.started).toBe(true);
    purges.get('1')!.finish();
    await second;
  });

  it('purges a part only after its own seal, and never two at once', async () => {
    const { run, seals, purges, events } = pipeline({ parts: ['1', '2', '3'] });
    await run.add('1');
    await settle();
    expect(purges.get('1')!.started).toBe(false); // its seal has not finished
    const second = run.add('2');
    seals.get('1')!.finish();
    seals.get('2')!.finish();
    await settle();
    expect(purges.get('1')!.started).toBe(true);
    expect(purges.get('2')!.started).toBe(false); // sealed, but part 1's purge is in flight
    purges.get('1')!.finish();
    await second; // the writer waited for part 1's purge before taking part 3
    await settle();
    expect(purges.get('2')!.started).toBe(true);
    const third = run.add('3');
    seals.get('3')!.finish();
    await settle();
    expect(purges.get('3')!.started).toBe(false);
    purges.get('2')!.finish();
    await third;
    purges.get('3')!.finish();
    await run.drain();
    expect(events.filter((e) => e.startsWith('purged'))).toEqual(['purged 1', 'purged 2', 'purged 3']);
  });

  it('the second of two parts written at once is purged beside the first, reported after it; a third waits for the older', async () => {
    const { run, seals, purges, events } = pipeline({ parts: ['1', '2', '3'] });
    await run.add('1');
    await run.add('2', 2); // returns at once: part 1's purge need not be done
    seals.get('1')!.finish();
    seals.get('2')!.finish();
    await settle();
    expect([purges.get('1')!.started, purges.get('2')!.started]).toEqual([true, true]);
    let third = false;
    const added = run.add('3', 2).then(() => (third = true));
    await settle();
    expect(third).toBe(false); // two purges in flight: the writer waits for the older one
    purges.get('2')!.finish();
    await settle();
    expect(events.filter((e) => e.startsWith('purged'))).toEqual([]); // part 2 is reported after part 1
    expect(third).toBe(false);
    purges.get('1')!.finish();
    await added;
    seals.get('3')!.finish();
    purges.get('3')!.finish();
    await run.drain();
    expect(events.filter((e) => e.startsWith('purged'))).toEqual(['purged 1', 'purged 2', 'purged 3']);
  });

  it('a part of its own (the default) waits for every purge in flight, also two', async () => {
    const { run, seals, purges } = pipeline({ parts: ['1', '2', '3'] });
    await run.add('1');
    await run.add('2', 2);
    seals.get('1')!.finish();
    seals.get('2')!.finish();
    await settle();
    let third = false;
    const added = run.add('3').then(() => (third = true));
    purges.get('1')!.finish();
    await settle();
    expect(third).toBe(false); // part 2's purge is still in flight
    purges.get('2')!.finish();
    await added;
    expect(purges.get('3')!.started).toBe(false); // its own seal first
  });

  it('beside a purge in flight, starts no purge after that one failed', async () => {
    const { run, seals, purges, events } = pipeline({ parts: ['1', '2'] });
    await run.add('1');
    await run.add('2', 2);
    seals.get('1')!.finish();
    await settle();
    purges.get('1')!.fail(new Error('purge of part 1: 3 rows changed since they were archived'));
    await settle();
    seals.get('2')!.finish();
    await expect(run.drain()).rejects.toThrow('purge of part 1');
    expect(() => run.throwIfStopped()).toThrow('purge of part 1'); // the writer stops at its next part
    expect(purges.get('2')!.started).toBe(false);
    expect(events.filter((e) => e.startsWith('purge'))).toEqual(['purge 1']);
    await expect(run.settle()).resolves.toBeUndefined();
  });

  it('in a paced run, waits for each seal and purge before the next part is written', async () => {
    const { run, seals, purges, events } = pipeline({ paced: true, parts: ['1', '2'] });
    let added = false;
    const first = run.add('1').then(() => (added = true));
    await settle();
    expect(added).toBe(false);
    seals.get('1')!.finish();
    await settle();
    expect(added).toBe(false);
    purges.get('1')!.finish();
    await first;
    expect(events).toEqual(['seal 1', 'purge 1', 'purged 1']);
  });

  it('defers a dropped window\'s parts: no purge each, one drop once all are sealed and earlier purges are done', async () => {
    const { run, seals, purges, events, drops } = pipeline({ parts: ['a', 'b', 'c'] });
    run.startWindow(undefined);
    await run.add('a');
    seals.get('a')!.finish();
    await run.endWindow();
    run.startWindow('partition_2025_01');
    await run.add('b');
    await run.add('c');
    const ended = run.endWindow();
    seals.get('b')!.finish();
    seals.get('c')!.finish();
    await settle();
    expect(drops).toEqual([]); // part a's purge is still in flight
    purges.get('a')!.finish();
    await ended;
    expect(drops).toEqual([{ partition: 'partition_2025_01', parts: ['b', 'c'] }]);
    expect(events).toEqual(['seal a', 'purge a', 'seal b', 'seal c', 'purged a', 'drop partition_2025_01', 'purged b', 'purged c']);
  });

  it('after a failed seal seals and purges nothing more, stops the writer, and settles', async () => {
    const { run, seals, events } = pipeline({ parts: ['1', '2'] });
    await run.add('1');
    const second = run.add('2');
    seals.get('1')!.fail(new Error('verification of part 1 failed'));
    await expect(second).rejects.toThrow('verification of part 1 failed');
    expect(() => run.throwIfStopped()).toThrow('verification of part 1 failed');
    await expect(run.settle()).resolves.toBeUndefined();
    expect(events).toEqual(['seal 1']);
  });

  it('stops the writer once the run is told to stop', () => {
    const { run, stop } = pipeline({ parts: [] });
    expect(() => run.throwIfStopped()).not.toThrow();
    stop.abort(new Error('the application is shutting down'));
    expect(() => run.throwIfStopped()).toThrow('the application is shutting down');
  });
});
