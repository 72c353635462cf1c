/** Fault hooks a test sets per case; cleared after each test so cases stay independent. */
import { ArchivalHooks } from '../../src/archival/engine/archival-hooks';

export function faultHooks(): ArchivalHooks {
  const hooks: ArchivalHooks = {};
  afterEach(() => {
    delete hooks.afterWrite;
    delete hooks.afterVerify;
  });
  return hooks;
}

/** A hook that runs `action` at its first call only (later calls pass). */
export function onFirstCall(action: () => Promise<void> | void): () => Promise<void> {
  let called = false;
  return async () => {
    if (called) return;
    called = true;
    await action();
  };
}
