/**
 * The keys and row versions (xmin) of one archive part, kept compactly: rows
 * of `key<TAB>xmin<LF>` in PostgreSQL's COPY text format, appended to 1 MiB
 * buffers. A part of 500,000 rows holds ~15 MB in a few buffers instead of a
 * million small JS strings, and the purge streams it straight back with
 * COPY ... FROM STDIN.
 */
import { createHash } from 'node:crypto';
import { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { copyBytes } from '../codec/byte-copy';

const BLOCK = 1024 * 1024;
const TAB = 0x09;
const NEWLINE = 0x0a;

export class KeyLog {
  private readonly blocks: Buffer[] = [];
  private block = Buffer.allocUnsafe(BLOCK);
  private used = 0;
  rows = 0;
  private first: string | undefined;
  /** Where the last key's UTF-8 bytes are (in a block, or a buffer of its own): not copied for every row. */
  private lastBuffer: Buffer = Buffer.alloc(0);
  private lastStart = 0;
  private lastEnd = 0;

  /** Appends one row from raw bytes: `key` must already be COPY-safe (no backslash, tab, CR or LF). */
  appendBytes(source: Buffer, keyStart: number, keyEnd: number, xminStart: number, xminEnd: number): void {
    const keyLength = keyEnd - keyStart;
    const size = keyLength + (xminEnd - xminStart) + 2;
    if (this.used + size > this.block.length) this.nextBlock(size);
    const at = this.used;
    this.used += copyBytes(source, this.block, at, keyStart, keyEnd);
    this.block[this.used++] = TAB;
    this.used += copyBytes(source, this.block, this.used, xminStart, xminEnd);
    this.block[this.used++] = NEWLINE;
    this.remember(this.block, at, at + keyLength);
  }

  /** Appends one row whose key needed decoding (escapes in its JSON form). */
  appendString(key: string, xmin: string): void {
    const escaped = Buffer.from(key.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!));
    const keyBytes = Buffer.from(key);
    const row = Buffer.concat([escaped, Buffer.from([TAB]), Buffer.from(xmin, 'latin1'), Buffer.from([NEWLINE])]);
    if (this.used + row.length > this.block.length) this.nextBlock(row.length);
    this.used += row.copy(this.block, this.used);
    this.remember(keyBytes, 0, keyBytes.length);
  }

  /** Bytes held: the log's size in COPY text form. */
  get bytes(): number {
    return this.blocks.reduce((sum, block) => sum + block.length, 0) + this.used;
  }

  /** SHA-256 of the log's COPY text (`key<TAB>xmin<LF>` per row, in order), as hex. */
  sha256(): string {
    const hash = createHash('sha256');
    for (const block of this.blocks) hash.update(block);
    return hash.update(this.block.subarray(0, this.used)).digest('hex');
  }

  get firstKey(): string | undefined {
    return this.first;
  }

  /** The last key appended, as text (the keyset position of the next batch). */
  get lastKey(): string | undefined {
    return this.rows === 0 ? undefined : this.lastBuffer.toString('utf8', this.lastStart, this.lastEnd);
  }

  /** Streams the log into `table` (columns k, x) with COPY FROM STDIN. */
  async copyInto(client: PoolClient, table: string): Promise<void> {
    const chunks = [...this.blocks, this.block.subarray(0, this.used)];
    await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} (k, x) FROM STDIN`)));
  }

  /** `buffer[start, end)` holds the key's UTF-8 bytes and is not written again. */
  private remember(buffer: Buffer, start: number, end: number): void {
    this.rows++;
    if (this.rows === 1) this.first = buffer.toString('utf8', start, end);
    this.lastBuffer = buffer;
    this.lastStart = start;
    this.lastEnd = end;
  }

  private nextBlock(atLeast: number): void {
    this.blocks.push(this.block.subarray(0, this.used));
    this.block = Buffer.allocUnsafe(Math.max(BLOCK, atLeast));
    this.used = 0;
  }
}

/**
 * (Re)creates the temp table `pg_temp.<name>` (k <keyType>, x xid) holding the
 * logs' rows, analyzed so joins on it plan well; returns its qualified name.
 * `transactionScoped`: dropped at commit (inside a purge transaction).
 * `numbered`: adds n = 1, 2, ... in log order (indexed), to work through it in batches.
 */
export async function stageKeyLogs(
  client: PoolClient,
  name: string,
  keyType: string,
  logs: KeyLog[],
  { unique = false, transactionScoped = false, numbered = false }: { unique?: boolean; transactionScoped?: boolean; numbered?: boolean } = {},
): Promise<string> {
  const table = `pg_temp.${name}`;
  const columns = `k ${keyType}${unique ? ' PRIMARY KEY' : ''}, x xid${numbered ? ', n int8 GENERATED ALWAYS AS IDENTITY' : ''}`;
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(`CREATE TEMP TABLE ${name} (${columns})${transactionScoped ? ' ON COMMIT DROP' : ''}`);
  for (const log of logs) await log.copyInto(client, table);
  if (numbered) await client.query(`CREATE INDEX ON ${table} (n)`);
  await client.query(`ANALYZE ${table}`);
  return table;
}
