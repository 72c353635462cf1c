/** What the part writer hands on: one part's archives, written and on record (status "written"). */
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { MonthWindow } from './archive-naming';
import { WrittenArchive } from './archive-writer';
import { PurgeRequest } from './purger';
import { RowSource } from './row-source';
import { TableShape } from './table-introspector';

/** One archive of one table: its rows' source (keys and xmins for the purge), what was stored, and its catalog row. */
export interface RecordedArchive {
  shape: TableShape;
  record: ArchivedPartition;
  source: RowSource;
  window: MonthWindow;
  written: WrittenArchive;
}

/** A part: the parent table's archive and the archives of its child rows, in the order they were written and recorded. */
export interface WrittenPart {
  parent: RecordedArchive;
  children: RecordedArchive[];
  /** Date.now() when the part's writing started, for the purge's log line. */
  started: number;
}

/** The parent first, then its children: the order they were written and recorded, which the manifest chain follows. */
export function inWriteOrder(part: WrittenPart): RecordedArchive[] {
  return [part.parent, ...part.children];
}

export function purgeRequest({ record, source }: RecordedArchive): PurgeRequest {
  return { archiveId: record.id, archivePath: record.archivePath, keys: source.keyLog, predicate: source.rangePredicate };
}
