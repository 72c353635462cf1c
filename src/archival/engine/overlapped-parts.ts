/**
 * A window's parts written two at a time: on this project's 2-core machine
 * one COPY keeps one PostgreSQL backend busy while the Node side waits, and a
 * second part's COPY on another connection uses the rest. Each part but the
 * last is a key range fixed before it starts, (end of the part before, its
 * own end], its end found by walking the key's index within the window's
 * key range (PartWriter.partEnd), so parts never share a row. Part numbers
 * are taken in key order (a part starts only once the one before it has its
 * number), and parts are handed to the pipeline in that order, whichever
 * finished first: seals, the manifest chain and the purges (two in flight)
 * keep it.
 *
 * Ends are looked up only while the window's planned rows left exceed a
 * part; then the last part takes the rest. A part reads at most
 * ARCHIVAL_MAX_ROWS_PER_FILE rows: rows inserted into a bounded range after
 * its end was found may stay in the table for the next run, never in two
 * parts; a last part that came back full is followed by more parts, one at a
 * time (the caller goes on from `after`).
 *
 * The first failure (a part's write, or the pipeline refusing a part) stops
 * the other part at its next batch (its own record then says it was
 * stopped, and why), and nothing new starts or is handed on; both are
 * settled before that first error is thrown.
 */
import { RunStoppedError } from '../archival.errors';

export interface OverlappedWriting<P> {
  /** The window's rows when it was planned, and the most rows a part holds. */
  plannedRows: number;
  partRows: number;
  /** The key the part starting after `after` ends at; undefined when fewer than a part's rows are left. */
  end(after: string | undefined): Promise<string | undefined>;
  /** Writes the part (after, until]; undefined when it holds no eligible row. */
  write(after: string | undefined, until: string | undefined, signal: AbortSignal, numbered: () => void): Promise<P | undefined>;
  /**
   * Hands a written part to the pipeline; `beside`: a later part of the
   * window, whose purge may run beside the one before it (disjoint key
   * ranges), so it waits only for the purge before that one. A window's
   * first part waits for every purge before it, as a part of its own does.
   */
  add(part: P, beside: boolean): Promise<void>;
  /** A written part's rows and last key. */
  extent(part: P): { rows: number; lastKey: string | undefined };
  throwIfStopped(): void;
}

/** Where the window goes on after the last part: from its last key, when it came back full. */
export interface OverlappedEnd {
  after?: string;
  full: boolean;
}

/** Parts in flight at once. */
const IN_FLIGHT = 2;

interface Flight<P> {
  part: Promise<P | undefined>;
  last: boolean;
}

export async function writeOverlapped<P>(steps: OverlappedWriting<P>): Promise<OverlappedEnd> {
  const failed = new AbortController();
  let first: { error: unknown } | undefined;
  const stop = (error: unknown) => {
    if (first) return;
    first = { error };
    failed.abort(new RunStoppedError(`stopped: another part of the window failed (${(error as Error)?.message ?? error})`));
  };
  const flight: Flight<P>[] = [];
  let lower: string | undefined;
  let handedOn = 0;
  let bounded = 0;
  let open = true;
  const launch = async () => {
    steps.throwIfStopped();
    failed.signal.throwIfAborted();
    const left = steps.plannedRows - bounded * steps.partRows;
    const upper = left > steps.partRows ? await steps.end(lower) : undefined;
    failed.signal.throwIfAborted();
    let numbered!: () => void;
    const hasNumber = new Promise<void>((resolve) => (numbered = resolve));
    const part = steps.write(lower, upper, failed.signal, numbered);
    // The first failure stops the other part; each is awaited in turn, or settled before the error is thrown.
    part.catch(stop);
    flight.push({ part, last: upper === undefined });
    lower = upper;
    bounded++;
    open = upper !== undefined;
    await Promise.race([hasNumber, part.then(() => undefined, () => undefined)]);
  };
  try {
    while (open && flight.length < IN_FLIGHT) await launch();
    for (;;) {
      const next = flight[0];
      const part = await next.part;
      flight.shift();
      if (open) await launch();
      // A part that came back after the other failed stays unsealed, abandoned with the run's unpurged archives.
      failed.signal.throwIfAborted();
      if (part) await steps.add(part, handedOn++ > 0);
      if (next.last) {
        if (!part) return { full: false };
        const { rows, lastKey } = steps.extent(part);
        return { after: lastKey, full: rows >= steps.partRows };
      }
    }
  } catch (error) {
    stop(error);
    await Promise.allSettled(flight.map((f) => f.part));
    throw first!.error;
  }
}
