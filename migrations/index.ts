/**
 * The catalog's migrations, in order: what a host runs (ARCHIVAL_MIGRATIONS
 * in its own list, or `archival migrate`). Nothing here imports the demo
 * host's tables; those are in demo-migrations.ts.
 */
import { ArchivalCatalog1732000000000 } from './1732000000000-ArchivalCatalog';
import { LegalHolds1732000000002 } from './1732000000002-LegalHolds';
import { FailedUploads1732000000003 } from './1732000000003-FailedUploads';
import { RestoreWatermark1732000000004 } from './1732000000004-RestoreWatermark';
import { ArchiveSchemaName1732000000005 } from './1732000000005-ArchiveSchemaName';
import { ArchivePartCounters1732000000006 } from './1732000000006-ArchivePartCounters';
import { RunLockedAt1732000000007 } from './1732000000007-RunLockedAt';
import { SupersededArchives1732000000008 } from './1732000000008-SupersededArchives';
import { ManifestChainOrder1732000000009 } from './1732000000009-ManifestChainOrder';
import { SizeStatsBySchema1732000000010 } from './1732000000010-SizeStatsBySchema';
import { RestoredKeyCount1732000000011 } from './1732000000011-RestoredKeyCount';

export const ARCHIVAL_MIGRATIONS = [
  ArchivalCatalog1732000000000, LegalHolds1732000000002, FailedUploads1732000000003, RestoreWatermark1732000000004,
  ArchiveSchemaName1732000000005, ArchivePartCounters1732000000006, RunLockedAt1732000000007, SupersededArchives1732000000008,
  ManifestChainOrder1732000000009, SizeStatsBySchema1732000000010, RestoredKeyCount1732000000011,
];
