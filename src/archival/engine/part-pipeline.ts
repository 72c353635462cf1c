/**
 * The pipelining rule of a table run, in one place. Written parts come in
 * one by one; the pipeline
 * - seals them one after another in the order they came (key order, which
 *   the manifest hash chain follows), while the run goes on writing the next;
 * - purges each part once its own seal succeeded, with at most one purge in
 *   flight (a part's purge waits for the one before it), or two for parts
 *   written two at once (overlapped-parts.ts): the purges of disjoint key
 *   ranges, reported in the order the parts came; after a failed purge no
 *   other starts;
 * - in a window whose partition is to be dropped, defers every part and drops
 *   the partition once all of them are sealed and earlier purges are done;
 * - in a paced run, does one thing at a time: each seal and each purge is
 *   awaited before the next part is written.
 * After a failed seal nothing more is sealed or purged, and `throwIfStopped`
 * stops the writer at its next part. `settle` waits for whatever is still in
 * flight, so nothing outlives the run or its advisory lock.
 */
import { VerificationChain } from './verification-chain';

export interface PipelineSteps<Part, Partition, Summary> {
  seal(part: Part): Promise<void>;
  purge(part: Part): Promise<Summary>;
  /** Drops `partition`, which holds exactly the rows of `parts` (all sealed). */
  drop(partition: Partition, parts: Part[]): Promise<Summary[]>;
  /** What was purged or dropped, in that order. */
  purged(summaries: Summary[]): void;
}

export interface PipelineOptions {
  /** A paced run (ARCHIVAL_NICE_RATIO, ARCHIVAL_SLEEP_BETWEEN_BATCHES_MS) overlaps nothing. */
  paced: boolean;
  /** Fires when the run must stop (lock lost, shutdown). */
  signal: AbortSignal;
}

interface Deferred<Part, Partition> {
  partition: Partition;
  parts: { part: Part; sealed: Promise<void> }[];
}

export class PartPipeline<Part, Partition, Summary> {
  private readonly seals = new VerificationChain();
  /** The purges in flight, oldest first, each settled once it is purged and reported. */
  private purging: Promise<void>[] = [];
  /** The last purge queued, reported: the next one reports after it. */
  private reported: Promise<void> = Promise.resolve();
  private purgeFailed: { error: unknown } | undefined;
  private deferred: Deferred<Part, Partition> | undefined;

  constructor(
    private readonly steps: PipelineSteps<Part, Partition, Summary>,
    private readonly options: PipelineOptions,
  ) {}

  /** Checked before each part is written: the run was told to stop, or a seal or a purge failed. */
  throwIfStopped(): void {
    this.options.signal.throwIfAborted();
    this.seals.throwIfFailed();
    if (this.purgeFailed) throw this.purgeFailed.error;
  }

  /** A new month window; with a partition, the window's parts leave by dropping it rather than one purge each. */
  startWindow(partition: Partition | undefined): void {
    this.deferred = partition === undefined ? undefined : { partition, parts: [] };
  }

  /**
   * Takes a written part: queues its seal, then its purge (or defers it to
   * the window's drop). `purges`: how many purges may be in flight with
   * this one (2 for a window's later parts written two at once).
   */
  async add(part: Part, purges = 1): Promise<void> {
    const sealed = this.seals.then(() => this.steps.seal(part));
    sealed.catch(() => undefined); // awaited before its purge or the drop, and by settle()
    if (this.options.paced) await sealed;
    if (this.deferred) {
      this.deferred.parts.push({ part, sealed });
      return;
    }
    while (this.purging.length >= purges) await this.purging.shift();
    const purged = sealed.then(() => {
      if (this.purgeFailed) throw this.purgeFailed.error;
      return this.steps.purge(part);
    });
    purged.catch((error: unknown) => (this.purgeFailed ??= { error }));
    const previous = this.reported;
    const reported = purged.then(async (summary) => {
      await previous.catch(() => undefined);
      this.steps.purged([summary]);
    });
    this.reported = reported;
    this.purging.push(reported);
    reported.catch(() => undefined); // awaited before a later purge and by drain() or settle()
    if (this.options.paced) await reported;
  }

  /** The window's last part was added: a deferred window drops its partition once every part is sealed. */
  async endWindow(): Promise<void> {
    const deferred = this.deferred;
    this.deferred = undefined;
    if (!deferred || deferred.parts.length === 0) return;
    await Promise.all(this.purging);
    await Promise.all(deferred.parts.map((p) => p.sealed));
    this.steps.purged(await this.steps.drop(deferred.partition, deferred.parts.map((p) => p.part)));
  }

  /** Resolves once the purges (and drops) queued so far have finished, whatever their outcome: a window's lock is held until then. */
  idle(): Promise<void> {
    return Promise.allSettled(this.purging).then(() => undefined);
  }

  /** The table's last window ended: waits for the last purge (and throws its error). */
  async drain(): Promise<void> {
    await Promise.all(this.purging);
  }

  /** After a failure: waits for every seal and purge still in flight, whatever their outcome. */
  async settle(): Promise<void> {
    await this.seals.settled();
    await Promise.allSettled(this.purging);
  }
}
