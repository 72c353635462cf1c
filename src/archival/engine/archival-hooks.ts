/**
 * Points where tests inject faults (corrupt a stored archive, crash between
 * steps, kill the process). Production never provides them, except the
 * env-driven kill switch below, which only acts when NODE_ENV=test.
 */
import { ConfigurationError } from '../archival.errors';
import { StorageProvider } from '../storage/storage-provider.interface';

export interface HookContext {
  job: string;
  table: string;
  archivePath: string;
  storage: StorageProvider;
}

/** Named instants of the loop, in order. */
export const FAULT_POINTS = ['mid-multipart', 'after-write', 'after-catalog-insert', 'mid-verify', 'after-verify', 'mid-delete'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export interface ArchivalHooks {
  afterWrite?(context: HookContext): Promise<void> | void;
  afterVerify?(context: HookContext): Promise<void> | void;
  /**
   * Called at each named point (mid-multipart: once 9 MiB of an archive went to storage;
   * mid-verify: once the read-back of an archive has decoded its first rows).
   */
  at?(point: FaultPoint, context: HookContext): Promise<void> | void;
}

export const MID_MULTIPART_BYTES = 9 * 1024 * 1024;

/**
 * ARCHIVAL_TEST_KILL_AT=<point>: the process SIGKILLs itself the first time it
 * reaches that point, to prove a crash there loses nothing. Ignored unless
 * NODE_ENV=test.
 */
export function killSwitchHooks(env: NodeJS.ProcessEnv): ArchivalHooks {
  const point = env.ARCHIVAL_TEST_KILL_AT;
  if (env.NODE_ENV !== 'test' || !point) return {};
  if (!(FAULT_POINTS as readonly string[]).includes(point)) {
    throw new ConfigurationError([`ARCHIVAL_TEST_KILL_AT=${JSON.stringify(point)}: expected one of ${FAULT_POINTS.join(', ')}`]);
  }
  return {
    at(reached) {
      if (reached !== point) return;
      process.kill(process.pid, 'SIGKILL');
      return new Promise<never>(() => undefined);
    },
  };
}
