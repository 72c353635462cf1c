/**
 * One job at a time across every replica: a session-level PostgreSQL advisory
 * lock, held on a dedicated connection for the whole run, outside the work
 * pool (ArchivalDatabase.openSession). If the process dies, its connection
 * closes and PostgreSQL releases the lock, so there is no TTL to tune (ttlMs
 * is accepted for the interface and ignored). The lock is unlocked before the
 * session ends: behind a pooler, the server connection outlives the session.
 */
import { Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { RunStoppedError } from '../archival.errors';
import { ArchivalDatabase } from '../engine/archival-database';
import { CronLocker } from './cron-locker.interface';

@Injectable()
export class AdvisoryCronLocker implements CronLocker {
  private readonly held = new Map<string, { client: Client; lost: AbortController }>();

  constructor(private readonly db: ArchivalDatabase) {}

  async tryAcquire(key: string, _ttlMs = 0): Promise<boolean> {
    if (this.held.has(key)) return false;
    const client = await this.db.openSession();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [`nest-archival:${key}`],
      );
      if (!rows[0].locked) {
        await client.end();
        return false;
      }
      const lost = new AbortController();
      // The lock lives and dies with this connection: if it drops, the holder must stop before any purge.
      client.on('error', (error: Error) => lost.abort(new RunStoppedError(`lost the lock on job "${key}": ${error.message}`)));
      this.held.set(key, { client, lost });
      return true;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** Aborts when the lock on `key` is lost (its connection died). */
  lostSignal(key: string): AbortSignal {
    const entry = this.held.get(key);
    if (!entry) throw new Error(`lock on "${key}" is not held by this process`);
    return entry.lost.signal;
  }

  async release(key: string): Promise<void> {
    const entry = this.held.get(key);
    if (!entry) return;
    this.held.delete(key);
    const { client, lost } = entry;
    try {
      if (!lost.signal.aborted) await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`nest-archival:${key}`]);
    } catch {
      // Closing the connection releases the lock too.
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
