import { encodingFor, jsonSelectList, KeyReader } from './jsonl.format';
import { LineScanner } from './line-scanner';

describe('canonical JSON Lines', () => {
  it('keeps exact-text types out of JavaScript numbers', () => {
    expect(encodingFor('int8', 'b')).toBe('text');
    expect(encodingFor('numeric', 'b')).toBe('text');
    expect(encodingFor('float8', 'b')).toBe('text');
    expect(encodingFor('_int4', 'b')).toBe('text');
    expect(encodingFor('jsonb', 'b')).toBe('json');
    expect(encodingFor('timestamptz', 'b')).toBe('native');
    expect(encodingFor('mood', 'e')).toBe('text');
  });

  it('selects the key column first and casts text-encoded columns', () => {
    const list = jsonSelectList(
      [
        { name: 'created_at', typname: 'timestamptz', type: 'timestamp with time zone', encoding: 'native', generated: false, identity: false },
        { name: 'id', typname: 'int8', type: 'bigint', encoding: 'text', generated: false, identity: false },
      ],
      'id',
      't',
    );
    expect(list).toBe('t."id"::text AS "id", t."created_at" AS "created_at"');
  });

  it.each([
    ['{"id":"12345","x":1}', '12345'],
    ['{"id":42,"x":1}', '42'],
    ['{"id":7}', '7'],
    ['{"id":"a\\"b","x":1}', 'a"b'],
    ['{"x":1,"id":"late"}', 'late'],
    ['{"id":"ünï","x":"\\\\"}', 'ünï'],
  ])('reads the key of %s', (line, expected) => {
    const buffer = Buffer.from(`${line}\n{"id":"next"}`);
    expect(new KeyReader('id').read(buffer, 0, Buffer.byteLength(line))).toBe(expected);
  });

  it('fails clearly when a line has no key', () => {
    const line = Buffer.from('{"x":1}');
    expect(() => new KeyReader('id').read(line, 0, line.length)).toThrow(/no value for key column "id"/);
  });
});

describe('LineScanner', () => {
  it('yields every line, including lines split across chunks', () => {
    const scanner = new LineScanner();
    const lines: string[] = [];
    const onLine = (b: Buffer, s: number, e: number) => lines.push(b.toString('utf8', s, e));
    for (const chunk of ['ab', 'c\nde', 'f\n', 'g', 'h', '\ni\n']) scanner.push(Buffer.from(chunk), onLine);
    expect(lines).toEqual(['abc', 'def', 'gh', 'i']);
    expect(scanner.end()).toBeUndefined();
  });

  it('returns a trailing partial line so callers can report it', () => {
    const scanner = new LineScanner();
    scanner.push(Buffer.from('a\nbroken'), () => undefined);
    expect(scanner.end()?.toString()).toBe('broken');
  });
});
