import { RunStoppedError } from '../archival.errors';
import { OverlappedEnd, OverlappedWriting, writeOverlapped } from './overlapped-parts';

/** A part the test finishes by hand. */
interface FakePart {
  after?: string;
  until?: string;
  signal: AbortSignal;
  numbered: () => void;
  finish: (rows: number, lastKey: string) => void;
  fail: (error: Error) => void;
}

interface Written {
  rows: number;
  lastKey: string;
}

/** Lets every callback already queued run (no timers). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

function world(options: { plannedRows: number; partRows?: number; ends: (string | undefined)[] }) {
  const parts: FakePart[] = [];
  const events: string[] = [];
  const ends = [...options.ends];
  const steps: OverlappedWriting<Written> = {
    plannedRows: options.plannedRows,
    partRows: options.partRows ?? 100,
    end: async (after) => {
      events.push(`end after ${after}`);
      return ends.shift();
    },
    write: (after, until, signal, numbered) =>
      new Promise<Written | undefined>((resolve, reject) => {
        events.push(`write (${after}, ${until}]`);
        parts.push({
          after, until, signal, numbered,
          finish: (rows, lastKey) => resolve(rows === 0 ? undefined : { rows, lastKey }),
          fail: reject,
        });
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
    add: async (part, beside) => {
      events.push(`add ${part.lastKey}${beside ? ' beside' : ''}`);
    },
    extent: (part) => part,
    throwIfStopped: () => undefined,
  };
  return { parts, events, steps };
}

/** Starts the writing and numbers its first two parts: both are then in flight. The result is caught, to be awaited by the test. */
async function twoInFlight(steps: OverlappedWriting<Written>, parts: FakePart[]): Promise<{ done: Promise<OverlappedEnd> }> {
  const done = writeOverlapped(steps);
  done.catch(() => undefined);
  await settle();
  parts[0].numbered();
  await settle();
  parts[1].numbered();
  return { done }; // wrapped: an async function's returned promise would be awaited with it
}

describe('writeOverlapped', () => {
  it('writes two parts at once, each numbered before the next starts, and hands them on in key order', async () => {
    const { parts, events, steps } = world({ plannedRows: 300, ends: ['100', '200'] });
    const done = writeOverlapped(steps);
    await settle();
    // The first part waits for its number before the second part's end is looked up.
    expect(events).toEqual(['end after undefined', 'write (undefined, 100]']);
    parts[0].numbered();
    await settle();
    expect(events.slice(2)).toEqual(['end after 100', 'write (100, 200]']);
    parts[1].numbered();
    // The second finishes first: nothing is handed on until the first has.
    parts[1].finish(100, '200');
    await settle();
    expect(events.filter((e) => e.startsWith('add'))).toEqual([]);
    parts[0].finish(100, '100');
    await settle();
    // 300 planned rows, two parts' ends found: the third takes the rest, with no end looked up.
    expect(events.slice(4)).toEqual(['write (200, undefined]']);
    parts[2].numbered();
    await settle();
    // The window's first part waits for every purge before it; the next is purged beside it.
    expect(events.slice(5)).toEqual(['add 100', 'add 200 beside']);
    parts[2].finish(40, '240');
    await expect(done).resolves.toEqual({ after: '240', full: false });
    expect(events).toHaveLength(8);
  });

  it('says the window goes on when the last part came back full (rows inserted since the plan)', async () => {
    const { parts, steps } = world({ plannedRows: 150, ends: ['100'] });
    const done = writeOverlapped(steps);
    await settle();
    parts[0].numbered();
    await settle();
    parts[1].numbered();
    parts[0].finish(100, '100');
    parts[1].finish(100, '230');
    await expect(done).resolves.toEqual({ after: '230', full: true });
  });

  it('a part whose end is not found (fewer rows than planned) is the last', async () => {
    const { parts, events, steps } = world({ plannedRows: 1000, ends: ['100', undefined] });
    const done = writeOverlapped(steps);
    await settle();
    parts[0].numbered();
    await settle();
    expect(parts[1].until).toBeUndefined();
    parts[1].numbered();
    parts[0].finish(100, '100');
    parts[1].finish(20, '120');
    await expect(done).resolves.toEqual({ after: '120', full: false });
    expect(events.filter((e) => e.startsWith('end'))).toHaveLength(2);
  });

  it('the first part failing stops the second, which is told why; the first error is the one thrown', async () => {
    const { parts, events, steps } = world({ plannedRows: 1000, ends: ['100', '200', '300'] });
    const { done } = await twoInFlight(steps, parts);
    parts[0].fail(new Error('the volume went away'));
    await settle();
    expect(parts[1].signal.aborted).toBe(true);
    expect(parts[1].signal.reason).toBeInstanceOf(RunStoppedError);
    expect((parts[1].signal.reason as Error).message).toBe('stopped: another part of the window failed (the volume went away)');
    await expect(done).rejects.toThrow(/^the volume went away$/);
    expect(events.filter((e) => e.startsWith('write'))).toHaveLength(2);
    expect(events.filter((e) => e.startsWith('add'))).toEqual([]);
  });

  it('a part that comes back after the other failed is not handed on', async () => {
    // Two parts: the second, the window's last, fails; nothing is left to start that would notice.
    const { parts, events, steps } = world({ plannedRows: 150, ends: ['100'] });
    // This first part ignores its stop and finishes anyway (it was past its last batch).
    const write = steps.write;
    steps.write = (after, until, _signal, numbered) => write(after, until, new AbortController().signal, numbered);
    const { done } = await twoInFlight(steps, parts);
    parts[1].fail(new Error('the volume went away'));
    await settle();
    parts[0].finish(100, '100');
    await expect(done).rejects.toThrow(/^the volume went away$/);
    expect(events.filter((e) => e.startsWith('add'))).toEqual([]);
  });

  it('the second part failing stops the first, still being written, and starts nothing new', async () => {
    const { parts, events, steps } = world({ plannedRows: 1000, ends: ['100', '200', '300'] });
    const { done } = await twoInFlight(steps, parts);
    // The second part fails while the first is still being written: the first is stopped, not waited for.
    parts[1].fail(new Error('the volume went away'));
    await settle();
    expect(parts[0].signal.aborted).toBe(true);
    await expect(done).rejects.toThrow(/^the volume went away$/);
    expect(events.filter((e) => e.startsWith('write'))).toHaveLength(2);
    expect(events.filter((e) => e.startsWith('add'))).toEqual([]);
  });

  it('a part the pipeline refuses stops the part in flight', async () => {
    const { parts, steps } = world({ plannedRows: 1000, ends: ['100', '200', '300'] });
    steps.add = async () => {
      throw new Error('a seal failed');
    };
    const { done } = await twoInFlight(steps, parts);
    parts[0].finish(100, '100');
    await settle();
    parts[2].numbered();
    // The third part was started (the first came back), then stopped with the second by the refusal.
    await expect(done).rejects.toThrow('a seal failed');
    expect(parts.slice(1).map((p) => p.signal.aborted)).toEqual([true, true]);
  });
});
