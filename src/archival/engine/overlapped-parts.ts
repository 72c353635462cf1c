/**
 * A window's parts written two at a time: on this project's 2-core machine
 * one COPY keeps one PostgreSQL backend busy while the Node side waits, and a
 * second part's COPY on another connection uses the rest (json+zstd, 1M
 * rows: the reading took about 4.2 s instead of 5.9 s in one run; the bench's
 * paired rounds measured −6% to +14%, median about +7%). Each part is a key
 * range fixed before it starts, (end of the part before, its own end], its
 * end found by the key's index (PartWriter.partEnd), so parts never share a
 * row and come in key order. They are handed to the pipeline in that order,
 * whichever finished first: its seals, the manifest chain and the one purge
 * in flight keep their order.
 *
 * A part reads at most ARCHIVAL_MAX_ROWS_PER_FILE rows of its range: rows
 * inserted into a range after its end was found may stay in the table for
 * the next run, never in two parts. On the first failure nothing new starts,
 * the part still in flight is waited for, and the error is thrown.
 */
import { WrittenPart } from './written-part';

export interface OverlappedWriting {
  /** The key the part starting after `after` ends at; undefined when it takes the rest. */
  end(after: string | undefined): Promise<string | undefined>;
  /** Writes the part (after, until]; undefined when it holds no eligible row. */
  write(after: string | undefined, until: string | undefined): Promise<WrittenPart | undefined>;
  /** Hands a written part to the pipeline (waits while the purge before it is in flight). */
  add(part: WrittenPart): Promise<void>;
  throwIfStopped(): void;
}

/** Parts in flight at once. */
const IN_FLIGHT = 2;

export async function writeOverlapped(steps: OverlappedWriting): Promise<void> {
  const flight: Promise<WrittenPart | undefined>[] = [];
  let lower: string | undefined;
  let more = true;
  const launch = async () => {
    steps.throwIfStopped();
    const upper = await steps.end(lower);
    const part = steps.write(lower, upper);
    part.catch(() => undefined); // awaited in turn, or settled before a failure is thrown
    flight.push(part);
    lower = upper;
    more = upper !== undefined;
  };
  try {
    while (more && flight.length < IN_FLIGHT) await launch();
    while (flight.length > 0) {
      const part = await flight[0];
      flight.shift();
      if (more) await launch();
      if (part) await steps.add(part);
    }
  } catch (error) {
    await Promise.allSettled(flight);
    throw error;
  }
}
