/**
 * The shape of @nestjs/schedule's upcoming CronLocker, so our PostgreSQL
 * locker plugs into the framework once that ships.
 */
export interface CronLocker {
  /** True when this process now holds `key`; false when another holder has it. */
  tryAcquire(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
}
