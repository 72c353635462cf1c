/**
 * An archive format turns the row stream into file bytes and back. Both
 * directions are pipeline stages, so nothing is held whole in memory.
 *
 * - encode: lines (as the row source produced them, in the format's dialect)
 *   → file bytes (compressed the way the format compresses);
 * - decode: file bytes → restore lines: JSON Lines that json_populate_record
 *   reads (see jsonl.format.ts), key first.
 * Each side reports a content digest: SHA-256 over a representation of the
 * rows that both sides compute identically, so a read-back proves the values,
 * not just the bytes.
 */
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArchiveFormatName } from '../archival-options';
import { Compression } from './compression.interface';
import { ColumnInfo } from './jsonl.format';

export type Stage = Transform | ((source: AsyncIterable<Buffer>) => AsyncIterable<Buffer>);

export interface ContentDigest {
  bytes: number;
  sha256: string;
}

export interface FormatStages {
  stages: Stage[];
  /** Valid once the stream has ended. */
  content(): ContentDigest;
}

/**
 * What a decoder's lines hold: whole restore lines, or (verification) lines
 * whose key member is all that is read; a format may then leave the rest out.
 * The content digest is the same either way.
 */
export type DecodeMode = 'restore' | 'keys';

/** How the row source writes each row for this format (see row-source.ts). */
export type LineDialect = 'json' | 'typed';

export interface ArchiveFormat {
  readonly name: ArchiveFormatName;
  readonly dialect: LineDialect;
  /** File extension for an archive with this compression, e.g. ".jsonl.gz" or ".parquet". */
  extension(compression: Compression): string;
  encoder(columns: ColumnInfo[], key: string, compression: Compression): FormatStages;
  decoder(columns: ColumnInfo[], key: string, compression: Compression, what: string, mode?: DecodeMode): FormatStages;
}

/** Runs source → stages → sink as one pipeline (errors anywhere fail it; streams are destroyed). */
export function runStages(streams: unknown[]): Promise<void> {
  return pipeline(streams as NodeJS.ReadWriteStream[]);
}
