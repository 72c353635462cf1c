/** The statuses of archives and runs, written once; types and checks derive from these lists. */
export const ARCHIVE_STATUSES = ['written', 'verified', 'purged', 'failed'] as const;
export type ArchiveStatus = (typeof ARCHIVE_STATUSES)[number];

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
