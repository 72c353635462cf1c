/**
 * Streams one archive's rows into a table: stored bytes → checksums → decrypt
 * → decode → batches of restore lines → INSERT ... SELECT json_populate_record,
 * so PostgreSQL parses every value with its column type's input function.
 * Callers run it inside a transaction and compare the returned read-back with
 * the catalog before committing: a corrupt archive inserts nothing.
 */
import { ArchiveCodec } from '../codec/archive-codec';
import { ColumnInfo, jsonLinesInsertSql } from '../codec/jsonl.format';
import { readArchive, ReadBack } from '../engine/archive-reader';
import { quoteIdent } from '../sql/sql-identifier';
import { StorageProvider } from '../storage/storage-provider.interface';

export interface Queryable {
  query(sql: string, values?: unknown[]): Promise<{ rowCount: number | null; rows: unknown[] }>;
}

export interface LoadResult extends ReadBack {
  inserted: number;
}

export interface LoadRequest {
  archivePath: string;
  /** The columns as the archive was written (its manifest): how to decode it. */
  columns: ColumnInfo[];
  /** The target table's own columns, as written back (generated ones left out); default `columns`. */
  insertColumns?: ColumnInfo[];
  keyColumn: string;
  /** The quoted, qualified target table. */
  target: string;
  onConflict?: string;
  /**
   * Called with the keys each batch actually wrote (inserted, or overwritten
   * with the archived row), once they are in: a row skipped on conflict is
   * not among them (restore records these keys).
   */
  afterInsert?: (keys: string[]) => Promise<void>;
}

export async function loadArchive(db: Queryable, storage: StorageProvider, codec: ArchiveCodec, request: LoadRequest): Promise<LoadResult> {
  const { archivePath, columns, keyColumn, target } = request;
  const returning = request.afterInsert ? ` RETURNING ${quoteIdent(keyColumn)}::text AS k` : '';
  const insert = jsonLinesInsertSql(target, request.insertColumns ?? columns, request.onConflict ?? '') + returning;
  let inserted = 0;
  const onLines = async (lines: Buffer[]) => {
    // One JSON array of the lines, as bytes: a Buffer parameter goes as json's binary form, which is its text.
    const result = await db.query(insert, [jsonArray(lines)]);
    inserted += result.rowCount ?? 0;
    await request.afterInsert?.((result.rows as Array<{ k: string }>).map((row) => row.k));
  };
  const readBack = await readArchive(storage, { key: archivePath, codec, columns, keyColumn, onLines });
  return { ...readBack, inserted };
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** `[line,line,...]` in one buffer (no JS string of a wide line is made). */
function jsonArray(lines: Buffer[]): Buffer {
  const pieces: Buffer[] = [OPEN];
  lines.forEach((line, index) => pieces.push(...(index > 0 ? [COMMA, line] : [line])));
  pieces.push(CLOSE);
  return Buffer.concat(pieces);
}
