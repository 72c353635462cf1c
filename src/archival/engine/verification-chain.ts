/**
 * The run's verifications, one after another in the order they were queued
 * (the parts' key order, which the manifest hash chain follows), while the engine
 * goes on writing the next part. After a failure nothing more is verified:
 * later steps reject with the same error, and the writer stops at its next
 * check. Archives left "written" are discarded by the next run.
 */
export class VerificationChain {
  private tail: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  /** Queues `step` after every step queued before it; the returned promise settles with it. */
  then(step: () => Promise<void>): Promise<void> {
    const result = this.tail.then(() => {
      this.throwIfFailed();
      return step();
    });
    this.tail = result.catch((error: unknown) => {
      this.failure ??= { error };
    });
    return result;
  }

  /** Throws the first failure, if a step failed. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Resolves once every queued step has finished, whether or not it failed. */
  settled(): Promise<void> {
    return this.tail;
  }
}
