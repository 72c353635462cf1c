/**
 * Streams one archive part's rows out of PostgreSQL: keyset-ordered batches,
 * each one `COPY (SELECT ...) TO STDOUT` whose lines PostgreSQL has already
 * encoded as canonical JSON. Alongside it keeps what verification and the
 * purge need: each row's key and xmin (the row version it archived), and a
 * SHA-256 over the key sequence.
 */
import { Readable } from 'node:stream';
import { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { LineDialect } from '../codec/archive-format';
import { jsonLineExpression, jsonSelectList } from '../codec/jsonl.format';
import { typedLineExpression, typedSelectList } from '../codec/parquet/parquet-columns';
import { KeyHash } from '../codec/key-hash';
import { LineScanner } from '../codec/line-scanner';
import { quoteIdent, quoteTable } from '../sql/sql-identifier';
import { keyBound } from './eligibility';
import { KeyLog } from './key-log';
import { Pacer } from './pacer';
import { TableShape } from './table-introspector';

const SEPARATOR = 0x02;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;

export interface RowSourceOptions {
  /** The eligibility predicate over alias `t`. */
  predicate: string;
  /** Joined after `t`, e.g. to restrict child rows to the parents of a part. */
  join?: string;
  batchSize: number;
  /** How each row is written: canonical JSON (json archives) or typed values (Parquet). */
  dialect: LineDialect;
  /** At most this many rows (one archive part). */
  limit: number;
  /** Rests after each batch (ARCHIVAL_SLEEP_BETWEEN_BATCHES_MS, ARCHIVAL_NICE_RATIO). */
  pacer: Pacer;
  signal?: AbortSignal;
  /** Start after this key (keyset): the rows up to it belong to an earlier part not purged yet. */
  startAfter?: string;
  /** Called after each batch with its row count and duration, for the batch log line. */
  onBatch?: (rows: number, ms: number) => void;
}

export class RowSource {
  /** Each row's key and xmin, for staging child selection and the purge. */
  readonly keyLog = new KeyLog();
  private readonly keyHash = new KeyHash();
  private readonly scanner = new LineScanner();

  constructor(private readonly client: PoolClient, private readonly shape: TableShape, private readonly options: RowSourceOptions) {}

  /** The predicate this part was read by, when it was read by one alone (a main table's part, not a child's join). */
  get rangePredicate(): string | undefined {
    return this.options.join === undefined ? this.options.predicate : undefined;
  }

  get rows(): number {
    return this.keyLog.rows;
  }

  /** Call after the stream has ended. */
  keysSha256(): string {
    return this.keyHash.digest();
  }

  /** Resolves to undefined when no row is eligible, so nothing is written. */
  async open(): Promise<Readable | undefined> {
    const batches = this.batches();
    const first = await batches.next();
    if (first.done) return undefined;
    async function* all() {
      yield first.value;
      yield* batches;
    }
    return Readable.from(all(), { objectMode: false, highWaterMark: 1024 * 1024 });
  }

  private async *batches(): AsyncGenerator<Buffer> {
    let after = this.options.startAfter;
    while (this.rows < this.options.limit) {
      this.options.signal?.throwIfAborted();
      const sizer = this.options.pacer.sizer;
      const limit = Math.min(sizer?.size ?? this.options.batchSize, this.options.limit - this.rows);
      const before = this.rows;
      const started = performance.now();
      const copy = this.client.query(copyTo(this.copySql(after, limit))) as AsyncIterable<Buffer>;
      // Paced: the batch is read whole, then encoded, so the database and this process take turns instead of both working at once.
      const chunks = this.options.pacer.paced ? await collect(copy) : copy;
      for await (const chunk of chunks) yield* this.take(chunk);
      if (this.scanner.end()) throw new Error(`COPY output of ${this.shape.table.name} ended inside a line`);
      const fetched = this.rows - before;
      const ms = performance.now() - started;
      sizer?.observe(fetched, ms, limit);
      this.options.onBatch?.(fetched, Math.round(ms));
      if (fetched < limit) return;
      after = this.keyLog.lastKey;
      // Its own signal: a part stopped because the part beside it failed does not wait out a throttle pause first.
      await this.options.pacer.rest(started, this.options.signal);
    }
  }

  private copySql(after: string | undefined, limit: number): string {
    const { shape } = this;
    const key = `t.${quoteIdent(shape.key)}`;
    const keyset = after === undefined ? '' : ` AND ${keyBound(shape, '>', after)}`;
    const typed = this.options.dialect === 'typed';
    const line = typed ? typedLineExpression(shape.columns, shape.key) : jsonLineExpression(shape.columns);
    const selectList = typed ? typedSelectList(shape.columns, shape.key) : jsonSelectList(shape.columns, shape.key, 't');
    return `COPY (SELECT to_json(${key}::text)::text, t.xmin, ${line}
      FROM ${quoteTable(shape.table)} t ${this.options.join ?? ''} CROSS JOIN LATERAL (SELECT ${selectList}) r
      WHERE ${this.options.predicate}${keyset}
      ORDER BY ${key} LIMIT ${limit})
      TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;
  }

  /**
   * Turns `"key" 0x02 xmin 0x02 json` lines into `json\n` lines, recording key
   * and xmin. Lines are copied together into buffers of about a chunk; a line
   * the scanner joined from several chunks (a wide row) is handed on as a view
   * of that buffer, its newline written into the spare byte: no copy.
   */
  private take(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let target: Buffer = Buffer.allocUnsafe(chunk.length + 64 * 1024);
    let length = 0;
    this.scanner.push(chunk, (line, start, end, spare) => {
      const value = this.record(line, start, end);
      if (spare) {
        if (length > 0) out.push(target.subarray(0, length));
        target = target.subarray(length);
        length = 0;
        line[end] = NEWLINE;
        out.push(line.subarray(value, end + 1));
        return;
      }
      const size = end - value + 1;
      if (length + size > target.length) target = grow(target, length, size);
      line.copy(target, length, value, end);
      length += size - 1;
      target[length++] = NEWLINE;
    });
    if (length > 0) out.push(target.subarray(0, length));
    return out;
  }

  /** Records the line's key and xmin; returns where its JSON starts. */
  private record(line: Buffer, start: number, end: number): number {
    const first = line.indexOf(SEPARATOR, start);
    const second = line.indexOf(SEPARATOR, first + 1);
    if (first === -1 || second === -1 || second > end) throw new Error('unexpected COPY line shape');
    // The key arrives as a JSON string; without escapes its bytes are the key's text, used as they are.
    if (hasByte(line, BACKSLASH, start, first)) {
      const key = JSON.parse(line.toString('utf8', start, first)) as string;
      this.keyLog.appendString(key, line.toString('latin1', first + 1, second));
      this.keyHash.add(key);
    } else {
      this.keyLog.appendBytes(line, start + 1, first - 1, first + 1, second);
      this.keyHash.addBytes(line, start + 1, first - 1);
    }
    return second + 1;
  }
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

function hasByte(buffer: Buffer, byte: number, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buffer[i] === byte) return true;
  return false;
}

function grow(buffer: Buffer, used: number, needed: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(buffer.length * 2, used + needed + 1024));
  buffer.copy(bigger, 0, 0, used);
  return bigger;
}
