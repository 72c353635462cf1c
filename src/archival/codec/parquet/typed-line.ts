/**
 * Reads one typed line (a flat JSON array from json_build_array, see
 * typedLineExpression: every element a string, number, boolean or null, in
 * the file's column order) straight from its bytes. Short strings come back
 * as JS strings, exactly as JSON.parse gives them; a string of more than
 * LONG_STRING bytes comes back as its UTF-8 bytes (`TextBytes`), unescaped in
 * place, in the line's own buffer: a 50 MB jsonb value costs nothing more
 * than its line, instead of the line as a string, the parsed string and its
 * UTF-8 copy. The line's bytes are overwritten, so a caller hands over lines
 * that nobody reads afterwards (the Parquet encoder's input: buffers the row
 * source made for it).
 *
 * Each TextBytes buffer is a view with HEADROOM bytes in front of it that
 * belong to it alone: the Parquet writer puts the value's 4-byte length there
 * instead of copying the value into its page (parquet-encoding.ts). Those are
 * bytes before its text that were read already (its opening quote, the
 * separator, the element before it). The first element has no such room: a
 * long one is copied once into a buffer of its own (a key column's value,
 * a btree entry, never is long).
 */
export const LONG_STRING = 64 * 1024;
export const HEADROOM = 4;

/** UTF-8 text of a long string member, with HEADROOM free bytes before `byteOffset`. */
export type TextBytes = Buffer & { readonly __textBytes: true };

const withHeadroom = new WeakSet<Buffer>();

/** True when `value` is a long string read by readTypedLine (its headroom may be written). */
export function isTextBytes(value: unknown): value is TextBytes {
  return Buffer.isBuffer(value) && withHeadroom.has(value);
}

/** The bytes of a typed line's syntax. */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const OPEN = 0x5b;
export const CLOSE = 0x5d;
const OPEN_OBJECT = 0x7b;
const SPACE = 0x20;

const ESCAPES: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09 };

/** The byte each two-character escape stands for, by its second character (0: not one; \u escapes are longer). */
export const SHORT_ESCAPES = new Uint8Array(128);
for (const [code, byte] of Object.entries(ESCAPES)) SHORT_ESCAPES[Number(code)] = byte;

export function readTypedLine(line: Buffer, start: number, end: number): unknown[] {
  const row: unknown[] = [];
  let at = skipSpace(line, start, end);
  expect(line, at++, OPEN);
  at = skipSpace(line, at, end);
  if (line[at] === CLOSE) return finish(line, at, end, row);
  // Bytes before `floor` may belong to a value already read (a TextBytes): no headroom may be taken from them.
  let floor = start;
  for (;;) {
    if (line[at] === QUOTE) {
      const valueEnd = stringEnd(line, at, end);
      if (valueEnd - at > LONG_STRING) {
        const text = unescape(line, at + 1, valueEnd - 1, floor);
        row.push(text);
        if (text.buffer === line.buffer) floor = text.byteOffset - line.byteOffset + text.length;
      } else row.push(JSON.parse(line.toString('utf8', at, valueEnd)));
      at = valueEnd;
    } else {
      // Numbers, booleans and null: JSON.parse, exactly as for the whole line.
      const valueEnd = scalarEnd(line, at, end);
      row.push(JSON.parse(line.toString('utf8', at, valueEnd)));
      at = valueEnd;
    }
    at = skipSpace(line, at, end);
    if (line[at] === CLOSE) break;
    expect(line, at++, COMMA);
    at = skipSpace(line, at, end);
  }
  return finish(line, at, end, row);
}

function finish(line: Buffer, close: number, end: number, row: unknown[]): unknown[] {
  if (skipSpace(line, close + 1, end) !== end) throw new Error('a typed line has bytes after its array');
  return row;
}

/** The index after the closing quote of the string starting at `start`. */
export function stringEnd(line: Buffer, start: number, end: number): number {
  expect(line, start, QUOTE);
  for (let i = start + 1; i < end; i++) {
    const byte = line[i];
    if (byte === BACKSLASH) i++;
    else if (byte === QUOTE) return i + 1;
  }
  throw new Error('a typed line ends inside a string');
}

/** The index after a number, true, false or null starting at `start`. */
export function scalarEnd(line: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end && line[i] !== COMMA && line[i] !== CLOSE && line[i] !== SPACE) {
    if (line[i] === OPEN || line[i] === OPEN_OBJECT) throw new Error('a typed line holds a nested value');
    i++;
  }
  return i;
}

/**
 * The UTF-8 bytes of the JSON string body line[start, end), unescaped in place
 * (an escape is never shorter than what it stands for, so the output never
 * overtakes the input, and the elements after it stay as they were): a view of
 * the line, whose HEADROOM bytes before it (read already, at or after `floor`)
 * become its own. Without that room, the text is unescaped into a buffer of
 * its own with the headroom in front.
 */
function unescape(line: Buffer, start: number, end: number, floor: number): TextBytes {
  if (start - HEADROOM < floor) {
    const own = Buffer.allocUnsafe(HEADROOM + end - start);
    line.copy(own, HEADROOM, start, end);
    return unescape(own, HEADROOM, HEADROOM + end - start, 0);
  }
  const out = unescapeInto(line, start, end, line, start);
  const text = line.subarray(start, out);
  withHeadroom.add(text);
  return text as TextBytes;
}

/**
 * Writes the UTF-8 text of the JSON string body src[start, end) into `dst`
 * from `at` (dst may be src itself, at ≤ start: an escape is never shorter
 * than what it stands for); returns where its text ends in `dst`.
 */
export function unescapeInto(src: Buffer, start: number, end: number, dst: Buffer, at: number): number {
  let out = at;
  for (let i = start; i < end; ) {
    const byte = src[i];
    if (byte !== BACKSLASH) {
      dst[out++] = byte;
      i++;
      continue;
    }
    // Its length first: in place, writing it may overwrite it.
    const length = escapeLength(src, i);
    out = writeEscape(src, i, dst, out);
    i += length;
  }
  return out;
}

/** The length of the escape at src[i] (a backslash): 2, 6 (\uXXXX) or 12 (\uXXXX\uXXXX, a surrogate pair). */
export function escapeLength(src: Buffer, i: number): number {
  if (src[i + 1] !== 0x75) return 2;
  return lowSurrogateAfter(src, i) === undefined ? 6 : 12;
}

/**
 * Writes what the escape at src[i] stands for, as UTF-8, into dst at `out`
 * (after reading it: dst may be src); returns where it ends in dst. A lone
 * surrogate becomes U+FFFD, as Buffer.from(string) writes it.
 */
export function writeEscape(src: Buffer, i: number, dst: Buffer, out: number): number {
  const code = src[i + 1];
  if (code !== 0x75) {
    const unescaped = ESCAPES[code];
    if (unescaped === undefined) throw new Error(`a typed line has a bad escape \\${String.fromCharCode(code)}`);
    dst[out] = unescaped;
    return out + 1;
  }
  let point = hex4(src, i + 2);
  const low = lowSurrogateAfter(src, i);
  if (low !== undefined) point = 0x10000 + ((point - 0xd800) << 10) + (low - 0xdc00);
  return out + dst.write(String.fromCodePoint(point >= 0xd800 && point <= 0xdfff ? 0xfffd : point), out, 'utf8');
}

/** The low surrogate of a \uXXXX\uXXXX pair starting at src[i], if it is one. */
function lowSurrogateAfter(src: Buffer, i: number): number | undefined {
  const point = hex4(src, i + 2);
  if (point < 0xd800 || point > 0xdbff || src[i + 6] !== BACKSLASH || src[i + 7] !== 0x75) return undefined;
  const low = hex4(src, i + 8);
  return low >= 0xdc00 && low <= 0xdfff ? low : undefined;
}

function hex4(line: Buffer, at: number): number {
  const digits = line.toString('latin1', at, at + 4);
  if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw new Error('a typed line has a bad \\u escape');
  return Number.parseInt(digits, 16);
}

export function skipSpace(line: Buffer, at: number, end: number): number {
  while (at < end && (line[at] === SPACE || line[at] === 0x09 || line[at] === 0x0a || line[at] === 0x0d)) at++;
  return at;
}

export function expect(line: Buffer, at: number, byte: number): void {
  if (line[at] !== byte) throw new Error(`a typed line has "${String.fromCharCode(line[at] ?? 0)}" where "${String.fromCharCode(byte)}" belongs`);
}
