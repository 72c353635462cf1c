import { encodingFor, jsonSelectList, KeyReader } from './jsonl.format';
import { KeyHash } from './key-hash';
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
    // Hashed from the line's bytes (verification), the key counts as its text does.
    const [fromBytes, fromText] = [new KeyHash(), new KeyHash()];
    new KeyReader('id').addTo(fromBytes, buffer, 0, Buffer.byteLength(line));
    fromText.add(expected);
    expect(fromBytes.digest()).toBe(fromText.digest());
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

  it('joins a line that spans chunks into a buffer of its own with one spare byte, once', () => {
    const scanner = new LineScanner();
    const seen: { text: string; spare: boolean; room: number }[] = [];
    const onLine = (b: Buffer, s: number, e: number, spare: boolean) => seen.push({ text: b.toString('utf8', s, e), spare, room: b.length - e });
    const first = Buffer.from('x\n' + 'a'.repeat(100));
    scanner.push(first, onLine);
    first.fill('z'); // a kept view sees this; the join must have copied nothing yet
    scanner.push(Buffer.from('bb\ny\n'), onLine);
    expect(seen).toEqual([
      { text: 'x', spare: false, room: 101 },
      { text: 'z'.repeat(100) + 'bb', spare: true, room: 1 },
      { text: 'y', spare: false, room: 1 },
    ]);
  });

  it('gathers a wide line (over 1 MiB) as its chunks arrive, letting go of each chunk at once', () => {
    const scanner = new LineScanner();
    const seen: { text: string; spare: boolean; room: number }[] = [];
    const onLine = (b: Buffer, s: number, e: number, spare: boolean) => seen.push({ text: b.toString('latin1', s, e), spare, room: b.length - e });
    const expected: string[] = [];
    for (let i = 0; i < 40; i++) {
      const chunk = Buffer.alloc(64 * 1024, 97 + (i % 26));
      expected.push(chunk.toString('latin1'));
      scanner.push(chunk, onLine);
      chunk.fill('#'); // from the 17th chunk on (past 1 MiB) each is copied as it arrives
    }
    scanner.push(Buffer.from('end\nnext\n'), onLine);
    expect(seen.map((l) => l.spare)).toEqual([true, false]);
    expect(seen[0].room).toBe(1);
    expect(seen[0].text.slice(17 * 64 * 1024)).toBe(expected.slice(17).join('') + 'end');
    expect(seen[0].text.length).toBe(40 * 64 * 1024 + 3);
    expect(seen[1].text).toBe('next');
  });

  it('copies a short tail, so a small piece does not pin its whole chunk', () => {
    const scanner = new LineScanner();
    const chunk = Buffer.from('a'.repeat(100) + '\nbc');
    scanner.push(chunk, () => undefined);
    chunk.fill('z');
    expect(scanner.end()?.toString()).toBe('bc');
  });

  it('with a head, hands over only the first bytes of a line that spans chunks, and holds no more', () => {
    const scanner = new LineScanner({ head: 4 });
    const seen: string[] = [];
    const onLine = (b: Buffer, s: number, e: number, spare: boolean) => seen.push(`${b.toString('utf8', s, e)}|${spare}|${b.length}`);
    for (const chunk of ['ab', 'cdefgh', 'ij\nshort\nlo', 'ng line\nxy', 'z\n']) scanner.push(Buffer.from(chunk), onLine);
    expect(seen).toEqual(['abcd|false|5', 'short|false|11', 'long|false|5', 'xyz|true|4']);
  });

  it('returns a trailing partial line so callers can report it', () => {
    const scanner = new LineScanner();
    scanner.push(Buffer.from('a\nbroken'), () => undefined);
    expect(scanner.end()?.toString()).toBe('broken');
  });
});
