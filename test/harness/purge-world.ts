/**
 * The range-purge tests' world, one per describe block: a database (set up
 * by `prepare` before the app starts) and an app on it, the run log captured
 * and cleared before each test, and a one-off action at the after-verify
 * point (between a part's read-back and its purge).
 */
import { ArchivalTestApp, ArchivalTestOptions, createArchivalApp } from './archival-app';
import { createTestDatabase, TestDatabase } from './database';
import { captureLogs } from './log-capture';

export interface PurgeBatch {
  table?: string;
  rows?: number;
  method?: string;
  check?: string;
}

export interface PurgeWorld {
  db: TestDatabase;
  app: ArchivalTestApp;
  /** The test's purge.batch log lines so far. */
  batches(): PurgeBatch[];
  /** Runs `action` once, at the next after-verify point. */
  afterVerify(action: () => Promise<unknown>): void;
}

export function purgeWorld({ prepare, module }: { prepare?: (db: TestDatabase) => Promise<unknown>; module?: ArchivalTestOptions['module'] } = {}): PurgeWorld {
  const logs = captureLogs();
  let pending: (() => Promise<unknown>) | undefined;
  // db and app are set before the first test.
  const world = {
    batches: () => logs.events('purge.batch').map(({ table, rows, method, check }) => ({ table, rows, method, check }) as PurgeBatch),
    afterVerify: (action: () => Promise<unknown>) => {
      pending = action;
    },
  } as Partial<PurgeWorld> as PurgeWorld;
  beforeAll(async () => {
    world.db = await createTestDatabase();
    await prepare?.(world.db);
    world.app = await createArchivalApp(world.db.url, {
      module,
      hooks: {
        at: async (point) => {
          if (point !== 'after-verify' || !pending) return;
          const once = pending;
          pending = undefined;
          await once();
        },
      },
    });
    logs.install();
  });
  beforeEach(() => logs.lines.splice(0));
  afterAll(async () => {
    logs.restore();
    await world.app?.close();
    await world.db?.drop();
  });
  return world;
}
