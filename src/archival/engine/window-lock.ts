/**
 * One job's month window of one table is archived by one worker at a time,
 * whatever the run or the replica: a session-level advisory lock on
 * `nest-archival:window:{job}:{schema}.{table}:{YYYY-MM}`, held on a session
 * of its own (outside the work pool) while the window's parts are written,
 * sealed and purged. So a run that outlived its job lock (its lock session
 * died while a purge was in flight) and the run that took the job next never
 * work one window at once. Two jobs on one table take different rows (their
 * filters), so each job's windows are its own. A window another worker holds
 * is left to it (the caller skips it). If the session dies, the lock is gone:
 * `lost` aborts, and the window's worker stops before any further purge.
 */
import { Client } from 'pg';
import { RunStoppedError } from '../archival.errors';
import { QualifiedName } from '../sql/sql-identifier';
import { ArchivalDatabase } from './archival-database';
import { MonthWindow } from './archive-naming';

export interface HeldWindow {
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export function windowLockKey(job: string, table: QualifiedName, window: MonthWindow): string {
  return `nest-archival:window:${job}:${table.schema}.${table.name}:${window.start.toISOString().slice(0, 7)}`;
}

/** The window's lock, or undefined when another session holds it. */
export async function tryLockWindow(db: ArchivalDatabase, job: string, table: QualifiedName, window: MonthWindow): Promise<HeldWindow | undefined> {
  const key = windowLockKey(job, table, window);
  const client: Client = await db.openSession();
  try {
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [key]);
    if (!rows[0].locked) {
      await client.end();
      return undefined;
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  const lost = new AbortController();
  client.on('error', (error: Error) => lost.abort(new RunStoppedError(`lost the lock on window ${key}: ${error.message}`)));
  return {
    lost: lost.signal,
    async release() {
      try {
        if (!lost.signal.aborted) await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
      } catch {
        // Closing the session releases the lock too.
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}
