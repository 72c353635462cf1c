/**
 * Reads an archive back from storage the way a restore would: stored bytes →
 * SHA-256 → decompress → SHA-256 of the content → lines → keys. Used to verify
 * before any purge, by `verify`, and by restore (which also takes the lines).
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CorruptArchiveError } from '../archival.errors';
import { ArchiveCodec } from '../codec/archive-codec';
import { runStages } from '../codec/archive-format';
import { HashingStream } from '../codec/hashing.stream';
import { ColumnInfo, KeyReader } from '../codec/jsonl.format';
import { KeyHash } from '../codec/key-hash';
import { LineScanner } from '../codec/line-scanner';
import { StorageProvider } from '../storage/storage-provider.interface';
import { Pacer, UNPACED } from './pacer';

/** A paced read-back rests after about this much work. */
const READ_STEP_MS = 50;
/** How much of a line verification keeps: the key member, first in every line, fits (a btree entry is at most a few KB). */
const KEY_HEAD_BYTES = 1024 * 1024;

export interface ReadBack {
  storedBytes: number;
  storedSha256: string;
  contentBytes: number;
  contentSha256: string;
  rows: number;
  keysSha256: string;
}

/**
 * Receives the lines of each decoded chunk, as views of the decoded bytes
 * (valid while the handler runs; a wide line is never turned into a string
 * here); the read waits for it (backpressure).
 */
export type LinesHandler = (lines: Buffer[]) => Promise<void>;

export interface ReadRequest {
  /** The archive's storage key. */
  key: string;
  /** The codec the archive was written with (its catalog row names it). */
  codec: ArchiveCodec;
  columns: ColumnInfo[];
  keyColumn: string;
  /** Takes the decoded lines (restore); without it only each line's key is read (verification). */
  onLines?: LinesHandler;
  /** A paced read rests after about every READ_STEP_MS of work. */
  pacer?: Pacer;
  /** Called once, when the first rows are decoded, and waited for (fault injection: mid-verify). */
  onMidRead?: () => unknown;
}

export async function readArchive(storage: StorageProvider, request: ReadRequest): Promise<ReadBack> {
  const { key, codec, columns, keyColumn, onLines, pacer = UNPACED, onMidRead } = request;
  const stored = new HashingStream();
  const decoder = codec.decoder(columns, keyColumn, key, onLines ? 'restore' : 'keys');
  const keyReader = new KeyReader(keyColumn);
  const keyHash = new KeyHash();
  // Without a line handler only each line's key is read (it comes first): a wide line's head is enough, the rest is not held.
  const scanner = new LineScanner(onLines ? {} : { head: KEY_HEAD_BYTES });
  let rows = 0;
  let midRead = onMidRead;
  const pacing = { since: performance.now() };
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      const lines: Buffer[] = [];
      try {
        scanner.push(chunk, (line, start, end) => {
          rows++;
          keyReader.addTo(keyHash, line, start, end);
          if (onLines) lines.push(line.subarray(start, end));
        });
      } catch (error) {
        callback(new CorruptArchiveError(`line ${rows} of ${key} is not a valid archive line: ${(error as Error).message}`, key));
        return;
      }
      const reached = midRead && rows > 0 ? midRead() : undefined;
      if (rows > 0) midRead = undefined;
      const handle = onLines && lines.length > 0;
      if (!reached && !handle && !pacer.paced) return callback();
      Promise.resolve(reached)
        .then(() => (handle ? onLines(lines) : undefined))
        .then(() => pacer.restEvery(READ_STEP_MS, pacing))
        .then(() => callback(), callback);
    },
    final(callback) {
      const rest = scanner.end();
      callback(rest && rest.length > 0 ? new CorruptArchiveError(`${key} ends inside a line (truncated archive?)`, key) : null);
    },
  });
  const source = await storage.read(key);
  await runStages([source, stored, ...decoder.stages, sink]);
  const content = decoder.content();
  return {
    storedBytes: stored.bytes,
    storedSha256: stored.digest(),
    contentBytes: content.bytes,
    contentSha256: content.sha256,
    rows,
    keysSha256: keyHash.digest(),
  };
}

export interface ExpectedArchive {
  storedBytes: number;
  storedSha256: string;
  contentSha256: string;
  rows: number;
  keysSha256: string;
}

/** What the catalog says was written (a record without checksums never verifies). */
export function expectedFromRecord(record: {
  compressedSize: number; sha256: string | null; contentSha256: string | null; rowCount: number; keysSha256: string | null;
}): ExpectedArchive {
  return {
    storedBytes: record.compressedSize,
    storedSha256: record.sha256 ?? '',
    contentSha256: record.contentSha256 ?? '',
    rows: record.rowCount,
    keysSha256: record.keysSha256 ?? '',
  };
}

/** Lists every difference between what was written and what was read back; empty when they match. */
export function compareReadBack(expected: ExpectedArchive, actual: ReadBack): string[] {
  const problems: string[] = [];
  if (actual.storedBytes !== expected.storedBytes) problems.push(`size ${actual.storedBytes} bytes, expected ${expected.storedBytes}`);
  if (actual.storedSha256 !== expected.storedSha256) problems.push(`SHA-256 ${actual.storedSha256}, expected ${expected.storedSha256}`);
  if (actual.contentSha256 !== expected.contentSha256) problems.push(`content SHA-256 differs`);
  if (actual.rows !== expected.rows) problems.push(`${actual.rows} rows, expected ${expected.rows}`);
  if (actual.keysSha256 !== expected.keysSha256) problems.push(`the set of primary keys differs`);
  return problems;
}

/** SHA-256 of the stored bytes alone: explains a read-back that failed to decode. */
export async function hashStored(storage: StorageProvider, key: string): Promise<{ bytes: number; sha256: string }> {
  const stored = new HashingStream();
  await pipeline(await storage.read(key), stored, new Writable({ write: (_chunk, _encoding, callback) => callback() }));
  return { bytes: stored.bytes, sha256: stored.digest() };
}
