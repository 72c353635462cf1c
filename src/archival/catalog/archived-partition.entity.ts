import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint.transformer';
import { ArchiveStatus } from './statuses';

/** One archive: a part of one table's month window, where it is stored, and how far it got. */
@Entity('archived_partitions')
export class ArchivedPartition {
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  @Generated('increment')
  id: number;

  @Column('text') job: string;
  /** The table's schema; NULL for archives recorded before the catalog held it. */
  @Column('text', { name: 'schema_name', nullable: true }) schemaName: string | null;
  @Column('text', { name: 'table_name' }) tableName: string;
  @Column('text', { name: 'partition_name' }) partitionName: string;
  @Column('integer') part: number;
  @Column('date', { name: 'start_date' }) startDate: string;
  @Column('date', { name: 'end_date' }) endDate: string;
  @Column('text', { name: 'archive_path' }) archivePath: string;
  @Column('text', { name: 'manifest_path' }) manifestPath: string;
  @Column('text') storage: string;
  @Column('text') format: string;
  @Column('text') compression: string;
  @Column('boolean') encrypted: boolean;
  @Column('bigint', { name: 'row_count', transformer: bigintAsNumber }) rowCount: number;
  @Column('bigint', { name: 'uncompressed_size', transformer: bigintAsNumber }) uncompressedSize: number;
  @Column('bigint', { name: 'compressed_size', transformer: bigintAsNumber }) compressedSize: number;
  @Column('char', { length: 64, nullable: true }) sha256: string | null;
  @Column('char', { name: 'content_sha256', length: 64, nullable: true }) contentSha256: string | null;
  @Column('char', { name: 'keys_sha256', length: 64, nullable: true }) keysSha256: string | null;
  @Column('char', { name: 'manifest_sha256', length: 64, nullable: true }) manifestSha256: string | null;
  @Column('text', { name: 'min_pk', nullable: true }) minPk: string | null;
  @Column('text', { name: 'max_pk', nullable: true }) maxPk: string | null;
  @Column('text') status: ArchiveStatus;
  @Column('text', { nullable: true }) error: string | null;
  @Column('timestamptz', { name: 'archived_at' }) archivedAt: Date;
  @Column('timestamptz', { name: 'verified_at', nullable: true }) verifiedAt: Date | null;
  /** Its place in the table's manifest hash chain (1 for the first link), taken under the chain lock; NULL until linked. */
  @Column('bigint', { name: 'chain_seq', nullable: true, transformer: bigintAsNumber }) chainSeq: number | null;
  @Column('timestamptz', { name: 'purged_at', nullable: true }) purgedAt: Date | null;
  @Column('uuid', { name: 'run_id', nullable: true }) runId: string | null;
  /** Set when a restore put the archive's rows back (the restore watermark). */
  @Column('timestamptz', { name: 'restored_at', nullable: true }) restoredAt: Date | null;
  @Column('uuid', { name: 'restore_run_id', nullable: true }) restoreRunId: string | null;
  /** Keys recorded when a restore put the rows back (NULL: restored before keys were recorded, or never restored). */
  @Column('bigint', { name: 'restored_keys', nullable: true, transformer: bigintAsNumber }) restoredKeys: number | null;
  /** Keys the last restore listed, also when it skipped rows (restored_keys NULL then); NULL: restored before keys were counted. */
  @Column('bigint', { name: 'restored_key_count', nullable: true, transformer: bigintAsNumber }) restoredKeyCount: number | null;
  /** When a newer archive took the last of its rows (status superseded), and which. */
  @Column('timestamptz', { name: 'superseded_at', nullable: true }) supersededAt: Date | null;
  @Column('bigint', { name: 'superseded_by', nullable: true, transformer: bigintAsNumber }) supersededBy: number | null;
  /** When a superseded archive's file left the table's folder (its manifest stays, for the hash chain). */
  @Column('timestamptz', { name: 'file_removed_at', nullable: true }) fileRemovedAt: Date | null;
  /** For a child table's archive: the archive of the parent rows it travels with. */
  @Column('bigint', { name: 'parent_id', nullable: true, transformer: bigintAsNumber }) parentId: number | null;
}
