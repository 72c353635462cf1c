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
