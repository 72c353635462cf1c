import { CorruptArchiveError } from '../../archival.errors';
import { encodePlain } from './parquet-column-builder';
import { decodeLevels, DecodeOptions, encodeLevelBytes, PhysicalType, PlainDecoder } from './parquet-encoding';

function encodeLevels(values: readonly unknown[]): Buffer {
  return encodeLevelBytes(Uint8Array.from(values, (v) => (v === undefined ? 0 : 1)), values.filter((v) => v === undefined).length);
}

/** One page's values, undefined where `levels` is 0, as the reader's cursor takes them. */
function decodePlain(type: PhysicalType, bytes: Buffer, levels: Uint8Array, what: string, options: DecodeOptions): unknown[] {
  const decoder = new PlainDecoder(type, bytes, what, options);
  return Array.from(levels, (level) => (level === 1 ? decoder.next() : undefined));
}

const read = { asText: true, longText: 1024 };

function levelsOf(values: unknown[]): Uint8Array {
  return decodeLevels(encodeLevels(values), values.length, 'test');
}

describe('Parquet encodings', () => {
  it('round-trips definition levels: all present, all NULL, and mixed (bit-packed past a byte)', () => {
    for (const values of [[1, 2, 3], [undefined, undefined], [1, undefined, 3, undefined, undefined, 6, 7, 8, 9, undefined, 11]]) {
      expect([...levelsOf(values)]).toEqual(values.map((v) => (v === undefined ? 0 : 1)));
    }
    expect(encodeLevels(new Array(10_000).fill(1)).length).toBeLessThan(5);
  });

  it('writes INT64 from text, numbers and BigInts alike, and reads safe values as numbers, others as BigInt', () => {
    const texts = ['0', '-1', '1733011234567890', '-62135596800000000', '9007199254740991', '9007199254740992', '9223372036854775807', '-9223372036854775807'];
    const fromText = encodePlain('INT64', texts);
    expect(fromText).toEqual(encodePlain('INT64', texts.map((t) => BigInt(t))));
    const back = decodePlain('INT64', fromText, new Uint8Array(texts.length).fill(1), 'test', read);
    expect(back.map(String)).toEqual(texts);
    expect(typeof back[2]).toBe('number');
    expect(typeof back[5]).toBe('bigint');
  });

  it('writes a uuid from its text without a Buffer, and reads it back as that text', () => {
    const uuid = '8c2b4a6e-1f3d-4c5e-9a7b-2d1e0f3c4b5a';
    const bytes = encodePlain('FIXED_LEN_BYTE_ARRAY', [uuid], 16);
    expect(bytes.toString('hex')).toBe(uuid.replace(/-/g, ''));
    expect(decodePlain('FIXED_LEN_BYTE_ARRAY', bytes, Uint8Array.of(1), 'test', { ...read, typeLength: 16, uuid: true })).toEqual([uuid]);
    for (const bad of ['8c2b4a6e-1f3d-4c5e-9a7b-2d1e0f3c4b5', '8c2b4a6e-1f3d-4c5e-9a7b+2d1e0f3c4b5a', 'zc2b4a6e-1f3d-4c5e-9a7b-2d1e0f3c4b5a']) {
      expect(() => encodePlain('FIXED_LEN_BYTE_ARRAY', [bad], 16)).toThrow(/not a uuid/);
    }
  });

  it('keeps NULLs in place and long text as bytes', () => {
    const values = ['a', undefined, 'é', 'x'.repeat(2000)];
    const back = decodePlain('BYTE_ARRAY', encodePlain('BYTE_ARRAY', values), levelsOf(values), 'test', read);
    expect(back.slice(0, 3)).toEqual(['a', undefined, 'é']);
    expect(Buffer.isBuffer(back[3]) && back[3].toString()).toBe('x'.repeat(2000));
  });

  it('reports cut-off pages and levels as corrupt archives', () => {
    expect(() => decodePlain('INT64', Buffer.alloc(7), Uint8Array.of(1), 'the page', read)).toThrow(CorruptArchiveError);
    expect(() => decodePlain('BYTE_ARRAY', Buffer.from([9, 0, 0, 0, 1]), Uint8Array.of(1), 'the page', read)).toThrow(/page values end early/);
    expect(() => decodeLevels(Buffer.from([0x05]), 8, 'the page')).toThrow(/cut off/);
    expect(() => decodeLevels(Buffer.from([0x04, 0x07]), 2, 'the page')).toThrow(/definition level 7/);
  });
});
