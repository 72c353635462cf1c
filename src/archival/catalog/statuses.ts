/**
 * The statuses of archives and runs and the moves allowed between them,
 * written once. Every status change in the catalog is an UPDATE guarded by
 * the status it comes from (catalog/status-moves.ts), as pg-boss moves jobs:
 * so `failed` can never overwrite `purged`, and a finished run stays finished.
 */
export const ARCHIVE_STATUSES = ['written', 'verified', 'purged', 'failed'] as const;
export type ArchiveStatus = (typeof ARCHIVE_STATUSES)[number];

/** Archives whose rows are still in the table: a run may abandon them. */
export const UNFINISHED: readonly ArchiveStatus[] = ['written', 'verified'];

export const ARCHIVE_MOVES: Readonly<Record<ArchiveStatus, readonly ArchiveStatus[]>> = {
  written: ['verified', 'failed'],
  verified: ['purged', 'failed'],
  purged: [],
  failed: [],
};

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_MOVES: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  running: ['succeeded', 'failed', 'skipped'],
  succeeded: [],
  failed: [],
  skipped: [],
};
