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
  private readonly held = new Map<string, PoolClient>();

  constructor(private readonly db: ArchivalDatabase) {}

  async tryAcquire(key: string, _ttlMs = 0): Promise<boolean> {
    if (this.held.has(key)) return false;
    const client = await this.db.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [`nest-archival:${key}`],
      );
      if (!rows[0].locked) {
        client.release();
        return false;
      }
      this.held.set(key, client);
      return true;
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    const client = this.held.get(key);
    if (!client) return;
    this.held.delete(key);
    try {
      await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`nest-archival:${key}`]);
      client.release();
    } catch (error) {
      // Closing the connection releases the lock too.
      client.release(error as Error);
    }
  }
}
