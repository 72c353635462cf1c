/**
 * Appends a typed line (see typedLineExpression) to the columns of the row
 * group being written straight from its bytes, with no JS value made of
 * most of its elements:
 * - a text or json string goes into its page as its UTF-8 bytes, unescaped
 *   on the way (ColumnBuilder.pushJsonString);
 * - an int8 or timestamp (PostgreSQL's digits in a string) and an int2, int4
 *   or date (a bare integer) become the number they spell;
 * - a uuid's 36 characters become its 16 bytes.
 * Those are the columns whose blocks the content hash takes as their PLAIN
 * bytes (hashedAsPlain), so none of them needs a canonical text either.
 * Every other element (floats, bytea, booleans, DECIMALs, NULL in a column
 * hashed by its values, anything unusual such as a string that is not
 * UTF-8) is read alone by JSON.parse and handed to `other`, as a line read
 * whole by JSON.parse hands each of its values on.
 *
 * For 1M log rows this took the encoder alone from 5.1-5.4 s to 2.7-3.0 s:
 * the line's string, JSON.parse's strings and their UTF-8 encoding were most
 * of its time. The file is byte for byte the one JSON.parse of each line
 * gave (typed-line-appender.spec.ts).
 */
import { ParquetKind } from './parquet-columns';
import { ColumnBuilder } from './parquet-column-builder';
import { CLOSE, COMMA, expect, OPEN, QUOTE, scalarEnd, skipSpace, stringEnd } from './typed-line';

type Direct = 'string' | 'int64' | 'int32' | 'uuid' | undefined;

const DIRECT: Partial<Record<ParquetKind, Direct>> = {
  text: 'string',
  json: 'string',
  int64: 'int64',
  timestamp: 'int64',
  int16: 'int32',
  int32: 'int32',
  date: 'int32',
  uuid: 'uuid',
};

const MINUS = 0x2d;

export class TypedLineAppender {
  private readonly direct: Direct[];

  /**
   * `kinds[i]` and `plain[i]` (hashed as PLAIN bytes) of column i, in line
   * order; `column(i)`: its builder now; `other(i, value)`: appends column
   * i's value as JSON.parse gave it.
   */
  constructor(
    kinds: readonly ParquetKind[],
    plain: readonly boolean[],
    private readonly column: (index: number) => ColumnBuilder,
    private readonly other: (index: number, value: unknown) => void,
  ) {
    this.direct = kinds.map((kind, i) => (plain[i] ? DIRECT[kind] : undefined));
  }

  /** Appends the values of the typed line line[start, end). */
  append(line: Buffer, start: number, end: number): void {
    const columns = this.direct.length;
    let at = skipSpace(line, start, end);
    expect(line, at++, OPEN);
    at = skipSpace(line, at, end);
    let count = 0;
    if (line[at] !== CLOSE) {
      for (;;) {
        if (count === columns) throw new Error(`a typed line holds more than ${columns} values`);
        at = skipSpace(line, this.element(count++, line, at, end), end);
        if (line[at] === CLOSE) break;
        expect(line, at++, COMMA);
        at = skipSpace(line, at, end);
      }
    }
    if (count !== columns) throw new Error(`a typed line holds ${count} values, not ${columns}`);
    if (skipSpace(line, at + 1, end) !== end) throw new Error('a typed line has bytes after its array');
  }

  /** Appends element `index`, which starts at `at`; returns where it ends. */
  private element(index: number, line: Buffer, at: number, end: number): number {
    const direct = this.direct[index];
    if (direct !== undefined) {
      const next = this.fromBytes(direct, index, line, at, end);
      if (next >= 0) return next;
    }
    if (line[at] !== QUOTE) {
      const valueEnd = scalarEnd(line, at, end);
      this.other(index, JSON.parse(line.toString('utf8', at, valueEnd)));
      return valueEnd;
    }
    const close = stringEnd(line, at, end);
    this.other(index, JSON.parse(line.toString('utf8', at, close)));
    return close;
  }

  /** Appends element `index` from its bytes where it has the form its column's kind is sent in; else -1, nothing appended. */
  private fromBytes(direct: Direct, index: number, line: Buffer, at: number, end: number): number {
    const column = this.column(index);
    if (line[at] === QUOTE) {
      switch (direct) {
        case 'string':
          return column.pushJsonString(line, at + 1, end);
        case 'int64': {
          const close = digitsEnd(line, at + 1, end);
          if (line[close] !== QUOTE) return -1;
          const n = integerAt(line, at + 1, close);
          if (n === undefined) return -1;
          column.push(n);
          return close + 1;
        }
        case 'uuid':
          return line[at + 37] === QUOTE && column.pushUuidText(line, at + 1) ? at + 38 : -1;
        default:
          return -1;
      }
    }
    if (isNull(line, at, end)) {
      column.push(undefined);
      return at + 4;
    }
    if (direct !== 'int32') return -1;
    const valueEnd = digitsEnd(line, at, end);
    if (valueEnd < end && !ENDS_SCALAR[line[valueEnd]]) return -1;
    // A JSON number has no leading zero: JSON.parse reports one.
    const first = line[at] === MINUS ? at + 1 : at;
    if (line[first] === 0x30 && valueEnd - first > 1) return -1;
    const n = integerAt(line, at, valueEnd);
    if (n === undefined) return -1;
    column.push(n);
    return valueEnd;
  }
}

/** Bytes that may follow a number in a typed line. */
const ENDS_SCALAR: boolean[] = [];
for (const byte of [COMMA, CLOSE, 0x20, 0x09, 0x0a, 0x0d]) ENDS_SCALAR[byte] = true;

/** The index after an optional minus and the digits from `start`. */
function digitsEnd(line: Buffer, start: number, end: number): number {
  let i = line[start] === MINUS ? start + 1 : start;
  while (i < end && line[i] >= 0x30 && line[i] <= 0x39) i++;
  return i;
}

/** The integer an optional minus and up to 19 digits spell: a number where safe, else a BigInt; undefined for anything else. */
function integerAt(line: Buffer, start: number, end: number): number | bigint | undefined {
  const negative = line[start] === MINUS;
  const first = negative ? start + 1 : start;
  if (end - first < 1 || end - first > 19) return undefined;
  let n = 0;
  for (let i = first; i < end; i++) {
    const digit = line[i] - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  // Exact while it is safe; a rounded value of a larger one is above MAX_SAFE_INTEGER too.
  if (n <= Number.MAX_SAFE_INTEGER) return negative ? -n : n;
  return BigInt(line.toString('latin1', start, end));
}

/** `null` at line[start], followed by what may follow a value. */
function isNull(line: Buffer, start: number, end: number): boolean {
  if (start + 4 > end || line[start] !== 0x6e || line[start + 1] !== 0x75 || line[start + 2] !== 0x6c || line[start + 3] !== 0x6c) return false;
  return start + 4 === end || ENDS_SCALAR[line[start + 4]] === true;
}
