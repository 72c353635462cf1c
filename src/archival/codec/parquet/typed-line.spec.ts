import { HEADROOM, isTextBytes, LONG_STRING, readTypedLine } from './typed-line';

function read(text: string) {
  const line = Buffer.from(`  ${text}\n`);
  return readTypedLine(line, 0, line.length - 1);
}

describe('readTypedLine', () => {
  it('reads short members exactly as JSON.parse does', () => {
    const text = JSON.stringify({ id: '12', n: -4, ok: true, none: null, s: 'a"b\\c\n\t\u0001é😀', ' sp,a:ce"': '{"x": [1]}' });
    expect(read(text)).toEqual(JSON.parse(text));
    expect(read('{}')).toEqual({});
  });

  it('reads a long string as its UTF-8 bytes, escapes resolved, with headroom that is its own', () => {
    const value = `${'"quoted" \\ é 😀 \u0000\u001f\t'.repeat(LONG_STRING / 8)}end`;
    const row = read(JSON.stringify({ id: '1', data: value, after: 7 }));
    expect(row.id).toBe('1');
    expect(row.after).toBe(7);
    expect(isTextBytes(row.data)).toBe(true);
    const bytes = row.data as Buffer;
    expect(bytes.equals(Buffer.from(value))).toBe(true);
    expect(bytes.byteOffset).toBeGreaterThanOrEqual(HEADROOM);
    expect(isTextBytes(Buffer.from(bytes))).toBe(false);
  });

  it('reads several long strings of one line, each in place, each with its headroom inside the line', () => {
    const a = `a"\\\n${'é'.repeat(LONG_STRING)}`;
    const b = `${'😀"'.repeat(LONG_STRING / 2)}b`;
    const line = Buffer.from(JSON.stringify({ k: '1', a, mid: 'x', b, n: 2 }));
    const row = readTypedLine(line, 0, line.length);
    expect([(row.a as Buffer).toString(), row.mid, (row.b as Buffer).toString(), row.n]).toEqual([a, 'x', b, 2]);
    for (const value of [row.a, row.b] as Buffer[]) {
      expect(value.buffer).toBe(line.buffer);
      expect(value.byteOffset - HEADROOM).toBeGreaterThanOrEqual(line.byteOffset);
    }
  });

  it('reads \\u escapes: surrogate pairs as one character, a lone surrogate as U+FFFD', () => {
    const long = 'x'.repeat(LONG_STRING);
    const row = read(`{"a":"${long}\\ud83d\\ude00\\u00e9\\ud800z"}`);
    expect((row.a as Buffer).toString()).toBe(`${long}😀é\ufffdz`);
  });

  it('refuses what is not a flat typed line, naming the problem', () => {
    expect(() => read('{"a":[1]}')).toThrow(/nested value/);
    expect(() => read('{"a":"x')).toThrow(/ends inside a string/);
    expect(() => read('{"a" 1}')).toThrow(/where ":" belongs/);
    expect(() => read('{"a":1} x')).toThrow(/bytes after its object/);
    expect(() => read(`{"a":"${'x'.repeat(LONG_STRING)}\\q"}`)).toThrow(/bad escape \\q/);
  });
});
