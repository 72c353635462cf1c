import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint.transformer';
import { RunStatus } from './statuses';

export type RunTrigger = 'cron' | 'manual' | 'cli' | 'api';

/** One execution of a job, whatever started it; dry runs included. */
@Entity('archival_runs')
export class ArchivalRun {
  @PrimaryColumn('uuid') id: string;
  @Column('text') job: string;
  @Column('text') trigger: RunTrigger;
  @Column('boolean', { name: 'dry_run' }) dryRun: boolean;
  @Column('text') status: RunStatus;
  @Column('timestamptz', { name: 'started_at' }) startedAt: Date;
  /** When the run took its job's lock; null for a run that never held it (skipped, or not there yet). */
  @Column('timestamptz', { name: 'locked_at', nullable: true }) lockedAt: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt: Date | null;
  @Column('bigint', { transformer: bigintAsNumber }) rows: number;
  @Column('bigint', { transformer: bigintAsNumber }) bytes: number;
  @Column('integer') archives: number;
  @Column('text', { nullable: true }) error: string | null;
  @Column('jsonb', { nullable: true }) summary: Record<string, unknown> | null;
}
