import { HEADROOM, isTextBytes, LONG_STRING, readTypedLine } from './typed-line';

/** A typed line as json_build_array writes it: elements separated by ", ". */
function pgArray(values: unknown[]): string {
  return `[${values.map((value) => JSON.stringify(value)).join(', ')}]`;
}

function read(text: string) {
  const line = Buffer.from(`  ${text}\n`);
  return readTypedLine(line, 0, line.length - 1);
}

describe('readTypedLine', () => {
  it('reads short elements exactly as JSON.parse does', () => {
    const values = ['12', -4, true, null, 'a"b\\c\n\t\u0001é😀', '{"x": [1]}', 1.5e-7];
    expect(read(pgArray(values))).toEqual(values);
    expect(read(JSON.stringify(values))).toEqual(values);
    expect(read('[]')).toEqual([]);
  });

  it('reads a long string as its UTF-8 bytes, escapes resolved, with headroom that is its own', () => {
    const value = `${'"quoted" \\ é 😀 \u0000\u001f\t'.repeat(LONG_STRING / 8)}end`;
    const line = Buffer.from(pgArray(['1', value, 7]));
    const row = readTypedLine(line, 0, line.length);
    expect(row[0]).toBe('1');
    expect(row[2]).toBe(7);
    expect(isTextBytes(row[1])).toBe(true);
    const bytes = row[1] as Buffer;
    expect(bytes.equals(Buffer.from(value))).toBe(true);
    // In place: its headroom is the separator and the quotes before it.
    expect(bytes.buffer).toBe(line.buffer);
    expect(bytes.byteOffset - HEADROOM).toBeGreaterThanOrEqual(line.byteOffset + 3);
    expect(isTextBytes(Buffer.from(bytes))).toBe(false);
  });

  it('reads several long strings of one line, each in place, each with its headroom inside the line', () => {
    const a = `a"\\\n${'é'.repeat(LONG_STRING)}`;
    const b = `${'😀"'.repeat(LONG_STRING / 2)}b`;
    const line = Buffer.from(pgArray(['1', a, b, 'x', 2]));
    const row = readTypedLine(line, 0, line.length);
    expect([(row[1] as Buffer).toString(), (row[2] as Buffer).toString(), row[3], row[4]]).toEqual([a, b, 'x', 2]);
    const [first, second] = [row[1], row[2]] as Buffer[];
    for (const value of [first, second]) expect(value.buffer).toBe(line.buffer);
    // b's headroom lies after a's text, which kept its own bytes.
    expect(second.byteOffset - HEADROOM).toBeGreaterThanOrEqual(first.byteOffset + first.length);
  });

  it('copies a long first element, which has no room before it, once, with headroom; later ones need no separator space', () => {
    const value = 'z'.repeat(LONG_STRING + 1);
    const first = Buffer.from(pgArray([value, 1]));
    const copied = readTypedLine(first, 0, first.length)[0] as Buffer;
    expect(isTextBytes(copied)).toBe(true);
    expect(copied.toString()).toBe(value);
    expect(copied.buffer).not.toBe(first.buffer);
    expect(copied.byteOffset).toBeGreaterThanOrEqual(HEADROOM);
    // `[1,"`: the bytes of the element read before are free once read.
    const tight = Buffer.from(JSON.stringify([1, value]));
    const inPlace = readTypedLine(tight, 0, tight.length)[1] as Buffer;
    expect(inPlace.toString()).toBe(value);
    expect(inPlace.buffer).toBe(tight.buffer);
  });

  it('reads \\u escapes: surrogate pairs as one character, a lone surrogate as U+FFFD', () => {
    const long = 'x'.repeat(LONG_STRING);
    const row = read(`["1", "${long}\\ud83d\\ude00\\u00e9\\ud800z"]`);
    expect((row[1] as Buffer).toString()).toBe(`${long}😀é\ufffdz`);
  });

  it('refuses what is not a flat typed line, naming the problem', () => {
    expect(() => read('[1, [2]]')).toThrow(/nested value/);
    expect(() => read('[1, {"a": 2}]')).toThrow(/nested value/);
    expect(() => read('["x')).toThrow(/ends inside a string/);
    expect(() => read('{"a": 1}')).toThrow(/"\{" where "\[" belongs/);
    expect(() => read('[1 2]')).toThrow(/where "," belongs/);
    expect(() => read('[1] x')).toThrow(/bytes after its array/);
    expect(() => read(`["1", "${'x'.repeat(LONG_STRING)}\\q"]`)).toThrow(/bad escape \\q/);
  });
});
