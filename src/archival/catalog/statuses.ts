/**
 * The statuses of archives and runs and the moves allowed between them,
 * written once. Every status change in the catalog is an UPDATE guarded by
 * the status it comes from (catalog/status-moves.ts), as pg-boss moves jobs:
 * so `failed` can never overwrite `purged`, and a finished run stays finished.
 */
export const ARCHIVE_STATUSES = ['written', 'verified', 'purged', 'restored', 'superseded', 'failed'] as const;
export type ArchiveStatus = (typeof ARCHIVE_STATUSES)[number];

/** Archives whose rows are still in the table: a run may abandon them. */
export const UNFINISHED: readonly ArchiveStatus[] = ['written', 'verified'];

/**
 * Live archives: their file is in the table's folder and holds rows that no
 * other live archive holds. `purged`: its rows left the table; `restored`: a
 * restore put them back (they are in the table and still here, until the
 * next run archives them again). The catalog's totals and the lake count
 * these only.
 */
export const LIVE: readonly ArchiveStatus[] = ['purged', 'restored'];

/**
 * `superseded`: a restored archive whose every key is now in a verified newer
 * archive or still in the table; its file left the table's folder (the
 * catalog row and the manifest stay, so the hash chain holds).
 */
export const ARCHIVE_MOVES: Readonly<Record<ArchiveStatus, readonly ArchiveStatus[]>> = {
  written: ['verified', 'failed'],
  verified: ['purged', 'failed'],
  purged: ['restored'],
  restored: ['superseded'],
  superseded: [],
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
