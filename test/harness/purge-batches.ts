/** What range-purge tests watch: the run log's purge.batch lines, and a one-off action at the after-verify point. */
import { ArchivalHooks } from '../../src/archival/engine/archival-hooks';

export interface PurgeBatch {
  table?: string;
  rows?: number;
  method?: string;
  check?: string;
}

/** The purge.batch lines among captured log lines. */
export function purgeBatches(lines: unknown[]): PurgeBatch[] {
  return lines
    .filter((l): l is PurgeBatch & { event: string } => typeof l === 'object' && l !== null && (l as { event?: string }).event === 'purge.batch')
    .map(({ table, rows, method, check }) => ({ table, rows, method, check }));
}

/** Hooks that run `then`'s action once, at the next after-verify point. */
export function afterVerifyOnce(): { hooks: ArchivalHooks; then(action: () => Promise<unknown>): void } {
  let pending: (() => Promise<unknown>) | undefined;
  return {
    hooks: {
      at: async (point) => {
        if (point !== 'after-verify' || !pending) return;
        const once = pending;
        pending = undefined;
        await once();
      },
    },
    then: (action) => (pending = action),
  };
}
