import { createHash } from 'node:crypto';
import { canonicalValue } from './parquet-columns';
import { ParquetContentHash } from './parquet-content-hash';

/** The text archives have always been hashed over: one JSON array of canonical values per row. */
function reference(rows: (string | null)[][]) {
  const text = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  return { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
}

function hashed(rows: (string | Buffer | null)[][]) {
  const columns = [{ kind: 'text' as const }, { kind: 'json' as const }, { kind: 'text' as const }];
  const hash = new ParquetContentHash();
  for (const row of rows) hash.add(row.map((value, i) => canonicalValue(columns[i].kind, value)));
  return hash.digest();
}

describe('ParquetContentHash', () => {
  it('hashes a row with a value longer than a piece exactly like the whole row text', () => {
    const piece = 1024 * 1024;
    // Escapes everywhere, and a surrogate pair across the first slice boundary.
    const escapes = `"quoted" \\ back\nslash\t\u0001 ünï 😀 `;
    const long = `${'x'.repeat(piece - 1)}😀${escapes.repeat(80_000)}`;
    const rows = [['1', `{"blob": ${JSON.stringify(long)}}`, long], ['2', 'null', `lone \ud800 surrogate ${'y'.repeat(piece)}\udc00`], ['3', '{}', 'short']];
    expect(hashed(rows)).toEqual(reference(rows));
  });

  it('hashes a long value given as UTF-8 bytes exactly like the same value as a string', () => {
    const piece = 1024 * 1024;
    // Multi-byte characters on every side of the slice boundaries.
    // Every control character, quotes, backslashes, and what JSON.stringify leaves as it is (U+007F, U+2028).
    const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    const long = `${'x'.repeat(piece - 2)}é😀${`ünï "q" \\ 😀\n\u2028\u007f${controls}`.repeat(30_000)}`;
    const small = 'ü "small" bytes';
    const rows = [['1', long, small], ['2', '{}', 'x'.repeat(piece + 3)]];
    const asBytes = rows.map((row) => row.map((value, i) => (i === 0 ? value : Buffer.from(value))));
    expect(hashed(asBytes)).toEqual(reference(rows));
  });

  it('hashes short rows as one JSON array each', () => {
    const rows = [['7', '{"a": 1}', 'ünïcødé "q"'], ['8', null, null]];
    expect(hashed(rows)).toEqual(reference(rows));
  });
});
