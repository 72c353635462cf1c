/**
 * A session-level PostgreSQL advisory lock held on a session of its own,
 * outside the work pool (ArchivalDatabase.openSession): the job lock
 * (scheduler/advisory.cron-locker.ts) and each window's (window-lock.ts). The
 * lock lives and dies with the session: if the process dies, PostgreSQL
 * releases it; if the session breaks, `lost` aborts, so its holder stops
 * before any further purge. It is unlocked before the session ends: behind a
 * pooler, the server connection outlives the session.
 */
import { RunStoppedError } from '../archival.errors';
import { ArchivalDatabase } from './archival-database';

export interface HeldLock {
  /** Aborts (with a RunStoppedError naming `what`) when the lock's session breaks. */
  readonly lost: AbortSignal;
  /** Unlocks and ends the session; never rejects. */
  release(): Promise<void>;
}

/** Takes `key` if no other session holds it (undefined otherwise); `what` names it in the error when it is lost, e.g. `job "log-archival"`. */
export async function tryHoldSessionLock(db: ArchivalDatabase, key: string, what: string): Promise<HeldLock | undefined> {
  const client = await db.openSession();
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
  client.on('error', (error: Error) => lost.abort(new RunStoppedError(`lost the lock on ${what}: ${error.message}`)));
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
