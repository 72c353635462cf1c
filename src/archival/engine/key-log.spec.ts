import { createHash } from 'node:crypto';
import { KeyLog } from './key-log';

/** A COPY line's key and xmin as the row source hands them over: key<0x02>xmin. */
function append(log: KeyLog, key: string, xmin: string): void {
  const line = Buffer.from(`"${key}"\u0002${xmin}\u0002`);
  log.appendBytes(line, 1, 1 + Buffer.byteLength(key), Buffer.byteLength(key) + 3, line.length - 1);
}

describe('KeyLog', () => {
  it('keeps every key and xmin in COPY text, and knows its first and last key across blocks', () => {
    const log = new KeyLog();
    expect(log.lastKey).toBeUndefined();
    const expected: string[] = [];
    // Keys short and long (past the byte-by-byte copy), enough rows to fill more than one 1 MiB block.
    for (let i = 0; i < 120_000; i++) {
      const key = i % 1000 === 7 ? `k${i}-${'é'.repeat(40)}` : `k${i}`;
      append(log, key, String(1000 + (i % 77)));
      expected.push(`${key}\t${1000 + (i % 77)}\n`);
      if (i === 0 || i === 60_000 || i === 119_999) expect(log.lastKey).toBe(key);
    }
    log.appendString('tab\there', '5');
    expected.push('tab\\there\t5\n');
    expect(log.rows).toBe(120_001);
    expect(log.firstKey).toBe('k0');
    expect(log.lastKey).toBe('tab\there');
    expect(log.bytes).toBeGreaterThan(1024 * 1024);
    expect(log.sha256()).toBe(createHash('sha256').update(expected.join('')).digest('hex'));
  });
});
