/**
 * One job at a time across every replica: a session-level PostgreSQL advisory
 * lock, held on a dedicated connection for the whole run. If the process dies,
 * its connection closes and PostgreSQL releases the lock, so there is no TTL
 * to tune (ttlMs is accepted for the interface and ignored).
 */
import { Injectable } from '@nestjs/common';
import { PoolClient } from 'pg';
import { ArchivalDatabase } from '../engine/archival-database';
import { CronLocker } from './cron-locker.interface';

@Injectable()
export class AdvisoryCronLocker implements CronLocker {
  private readonly held = new Map<string, { client: PoolClient; lost: AbortController }>();

  constructor(private readonly db: ArchivalDatabase) {}

  async tryAcquire(key: string, _ttlMs = 0): Promise<boolean> {
    if (this.held.has(key)) return false;
    const client = await this.db.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [`nest-archival:${key}`],
      );
      if (!rows[0].locked) {
        client.release();
        return false;
      }
      const lost = new AbortController();
      // The lock lives and dies with this connection: if it drops, the holder must stop before any purge.
      client.on('error', (error: Error) => lost.abort(new Error(`lost the lock on job "${key}": ${error.message}`)));
      this.held.set(key, { client, lost });
      return true;
    } catch (error) {
      client.release(error as Error);
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
    if (lost.signal.aborted) {
      client.release(lost.signal.reason as Error);
      return;
    }
    try {
      await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`nest-archival:${key}`]);
      client.release();
    } catch (error) {
      // Closing the connection releases the lock too.
      client.release(error as Error);
    }
  }
}
