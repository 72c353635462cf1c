/**
 * One job at a time across every replica: a session-level PostgreSQL advisory
 * lock on `nest-archival:{job}`, held on a session of its own for the whole
 * run (engine/session-lock.ts). If the process dies, its connection closes
 * and PostgreSQL releases the lock, so there is no TTL to tune (ttlMs is
 * accepted for the interface and ignored).
 */
import { Injectable } from '@nestjs/common';
import { ArchivalDatabase } from '../engine/archival-database';
import { HeldLock, tryHoldSessionLock } from '../engine/session-lock';
import { CronLocker } from './cron-locker.interface';

@Injectable()
export class AdvisoryCronLocker implements CronLocker {
  private readonly held = new Map<string, HeldLock>();

  constructor(private readonly db: ArchivalDatabase) {}

  async tryAcquire(key: string, _ttlMs = 0): Promise<boolean> {
    if (this.held.has(key)) return false;
    const lock = await tryHoldSessionLock(this.db, `nest-archival:${key}`, `job "${key}"`);
    if (!lock) return false;
    this.held.set(key, lock);
    return true;
  }

  /** Aborts when the lock on `key` is lost (its connection died). */
  lostSignal(key: string): AbortSignal {
    const lock = this.held.get(key);
    if (!lock) throw new Error(`lock on "${key}" is not held by this process`);
    return lock.lost;
  }

  async release(key: string): Promise<void> {
    const lock = this.held.get(key);
    if (!lock) return;
    this.held.delete(key);
    await lock.release();
  }
}
