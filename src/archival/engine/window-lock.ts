/**
 * One job's month window of one table is archived by one worker at a time,
 * whatever the run or the replica: a session-level advisory lock on
 * `nest-archival:window:{job}:{schema}.{table}:{YYYY-MM}` (session-lock.ts),
 * held while the window's parts are written, sealed and purged. So a run that outlived its job lock (its lock session
 * died while a purge was in flight) and the run that took the job next never
 * work one window at once. Two jobs on one table take different rows (their
 * filters), so each job's windows are its own. A window another worker holds
 * is left to it (the caller skips it). If the session dies, the lock is gone:
 * `lost` aborts, and the window's worker stops before any further purge.
 */
import { QualifiedName } from '../sql/sql-identifier';
import { ArchivalDatabase } from './archival-database';
import { MonthWindow } from './archive-naming';
import { HeldLock, tryHoldSessionLock } from './session-lock';

export function windowLockKey(job: string, table: QualifiedName, window: MonthWindow): string {
  return `nest-archival:window:${job}:${table.schema}.${table.name}:${window.start.toISOString().slice(0, 7)}`;
}

/** The window's lock, or undefined when another session holds it. */
export function tryLockWindow(db: ArchivalDatabase, job: string, table: QualifiedName, window: MonthWindow): Promise<HeldLock | undefined> {
  const key = windowLockKey(job, table, window);
  return tryHoldSessionLock(db, key, `window ${key}`);
}
